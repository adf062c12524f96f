"""`yihui sql`: the analysts' read-only way into the release."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.errors import YihuiError
from pipelines.cli.app import DataDir, app, console, out, settings


def _sql_error(exc: Exception) -> str:
    """DuckDB's message on one line, its hint kept ("Did you mean …"); the echo of the query and
    its caret dropped (the analyst has the query).  The query reads only the anonymous release."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"})


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="SQL to run; omit for an interactive shell.")] = None,
    data_dir: DataDir = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """Query the analyst warehouse read-only (one query, or an interactive shell)."""
    import duckdb

    s = settings(data_dir)
    if not s.layout.warehouse_path.exists():
        raise YihuiError(f"no warehouse at {s.layout.warehouse_path}: run `yihui run` first")
    con = connect_release(s.layout.warehouse_path)

    def show(q: str) -> None:
        try:
            rel = con.sql(q)
            if rel is None:
                return
            cols, rows = rel.columns, rel.fetchall()  # a failed cast fails here, not in con.sql
        except duckdb.Error as exc:
            raise YihuiError(_sql_error(exc)) from None
        if csv:  # opened in spreadsheets: no cell may run as a formula
            from core import csv_cells

            w = csv_cells.writer(sys.stdout)
            w.writerow(cols)
            w.writerows(rows)
            return
        t = Table()
        for c in cols:
            t.add_column(c)
        for r in rows[:1000]:
            t.add_row(*["" if v is None else str(v) for v in r])
        out.print(t)
        if len(rows) > 1000:
            out.print(f"… {len(rows) - 1000:,} more rows (use --csv for all)")

    if query:
        show(query)
        return
    out.print(f"read-only SQL over {s.layout.warehouse_path}; end a statement with ';', quit with .quit or Ctrl-D")
    buf = ""
    while True:
        try:
            line = input("yihui> " if not buf else "   ...> ")
        except EOFError:
            break
        if line.strip() in (".quit", ".exit"):
            break
        buf += line + "\n"
        if buf.strip().endswith(";"):
            try:
                show(buf)
            except YihuiError as exc:
                console.print(f"[red]Error:[/] {exc}")
            buf = ""


def connect_release(warehouse: Path):
    """The release, read-only, with no way out to the file system: no query reads a key file,
    attaches the build database or writes a copy, and the setting cannot be turned back on."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con
