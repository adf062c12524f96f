"""The ``yihui`` command line: one module per command group over the use cases, one error handler.

``app.py`` holds what every command shares (options, settings, the lock, the vault
session); each group's commands parse options, call a use case and print; ``handler.py``
turns every way a command can end into an exit code and at most one line.
"""

from pipelines.cli import audit, keys, query, retention, segment, stages, subject, vault  # noqa: F401 (registers)
from pipelines.cli.app import app
from pipelines.cli.handler import main

__all__ = ["app", "main"]
