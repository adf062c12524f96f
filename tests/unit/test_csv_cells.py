"""CSV cells never run as spreadsheet formulas (OWASP CSV injection), and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from core import csv_cells

FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1+1", "-2+3", "\tx", "\rx", "=", "-"]
PLAIN = ["ok", "", "a=b", "'=already", "1-2", "张三"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_text_cell_that_starts_a_formula_gets_a_leading_quote(value):
    assert csv_cells.cell(value) == "'" + value


@pytest.mark.parametrize("value", [*PLAIN, -5, -2.5, Decimal("-1.10"), date(2026, 1, 1), None, True])
def test_plain_text_and_every_non_text_value_are_left_alone(value):
    assert csv_cells.cell(value) == value


def test_neutralising_twice_changes_nothing_more():
    assert all(csv_cells.cell(csv_cells.cell(v)) == csv_cells.cell(v) for v in FORMULAS + PLAIN)


def test_the_python_writer_and_the_duckdb_copy_write_the_same_cells(tmp_path):
    """The two forms of the rule (``writer`` for csv.writer paths, ``sql_select`` for COPY) agree."""
    values = FORMULAS + PLAIN
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, s VARCHAR, n INTEGER, d DATE)")
    con.executemany("INSERT INTO t VALUES (?, ?, -5, DATE '2026-01-01')", list(enumerate(values)))
    path = tmp_path / "out.csv"
    con.execute(f"COPY ({csv_cells.sql_select(con, 't', ['s', 'n', 'd'])} ORDER BY i) TO '{path}' (FORMAT csv, HEADER true)")
    with path.open(newline="") as fh:
        from_sql = list(csv.reader(fh))

    buf = io.StringIO()
    w = csv_cells.writer(buf)
    w.writerow(["s", "n", "d"])
    w.writerows([v, -5, date(2026, 1, 1)] for v in values)
    from_python = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))

    assert from_sql == from_python
    assert from_sql[1] == ["'" + FORMULAS[0], "-5", "2026-01-01"]
