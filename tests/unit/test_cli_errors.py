"""The CLI's last-resort handler: one line, and never the values a database message may quote."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli import _unexpected


def test_a_conversion_error_is_named_without_the_value_it_failed_on():
    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as caught:
        con.execute("SELECT CAST('19850309' AS DATE)")
    line = _unexpected(caught.value)
    assert "19850309" not in line and "\n" not in line
    assert line.startswith("unexpected ConversionException")


def test_a_file_error_names_the_file():
    line = _unexpected(PermissionError(13, "Permission denied", "/data/warehouse.duckdb"))
    assert line == "cannot use /data/warehouse.duckdb: Permission denied; nothing was published"
