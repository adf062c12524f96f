"""CSV cells a spreadsheet will not run: OWASP's rule against CSV (formula) injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel, LibreOffice and Sheets (``=HYPERLINK(…)`` sends
whoever opens the file to a site of the author's choosing).  Source values reach
our CSVs (lottery winners' masked logins through ``yihui sql --csv``, audience
names in exports), so every CSV we write prefixes such a cell with ``'``, which
spreadsheets show as text.  Numbers stay numbers: only text cells are touched,
so ``-5`` from an integer column is still ``-5``.

One rule, two forms: ``cell`` for rows written from Python, ``sql_select`` for
DuckDB ``COPY … (FORMAT csv)``; both come from ``TRIGGERS``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return PREFIX + value
    return value


def writer(fh) -> _SafeWriter:
    """``csv.writer`` whose rows go through ``cell``."""
    return _SafeWriter(csv.writer(fh))


class _SafeWriter:
    def __init__(self, inner) -> None:
        self._inner = inner

    def writerow(self, row: Iterable[Any]) -> None:
        self._inner.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def sql_cell(expr: str) -> str:
    """The same rule as a DuckDB expression over a VARCHAR ``expr``."""
    chars = ", ".join(f"chr({ord(c)})" for c in TRIGGERS)
    return f"CASE WHEN left({expr}, 1) IN ({chars}) THEN chr({ord(PREFIX)}) || {expr} ELSE {expr} END"


def sql_select(con, relation: str, columns: Iterable[str]) -> str:
    """``SELECT columns FROM relation`` with every text column neutralised, for
    ``COPY (…) TO '…' (FORMAT csv)``; the caller may append ``ORDER BY``.  Names and order stay."""
    quoted = ['"' + c.replace('"', '""') + '"' for c in columns]
    types = con.sql(f"SELECT {', '.join(quoted)} FROM {relation} LIMIT 0").types
    parts = [f"{sql_cell(q)} AS {q}" if str(t) == "VARCHAR" else q for q, t in zip(quoted, types, strict=True)]
    return f"SELECT {', '.join(parts)} FROM {relation}"
