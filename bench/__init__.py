"""Benchmarks of the anonymizer against peers measured in the same run (``make bench``)."""
