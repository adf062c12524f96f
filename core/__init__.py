"""The bottom of the import graph: errors, settings, the data dir's layout and the rules every stage shares.

Nothing here imports ``anonymizer``, ``audiences`` or ``pipelines`` (checked by import-linter).
"""
