"""Extract: operational source → raw landing tables inside the encrypted vault.

Changes are found by content, not by ``updated_at``: a source clock can run
behind (a back-dated update), ahead, or a row can be deleted and another
inserted with an old stamp.  Every run reads each table as text, hashes each
row, and compares the hashes with those of the source's previous state
(``vault.ops.source_rows``): a new hash lands, a vanished one leaves.  Rows the
warehouse itself removed (erasures, retention) keep their hash in that state,
so an unchanged source does not send them back.

Every value is cast once at the boundary (``pipelines.boundary``): what does not
fit its column lands as NULL with a problem code, to be quarantined by
validation, instead of failing the run.  The source's schema is checked before
anything is written.

Rows move set-based: the source is attached to DuckDB (``Source.reader``) and
read with one statement per table.  Never ingested: tables marked
``ingest=False`` (SMS verification codes).  Each table is landed in its own
transaction: a crash leaves every table either at its previous or its new
state, and the next run simply continues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from core import faults
from core.schema import INGESTED, Table
from pipelines import boundary, subjects
from pipelines.errors import SchemaDrift
from pipelines.source import Reader, Source


@dataclass
class TableExtract:
    table: str
    source_rows: int
    changed: int  # rows new or changed since the previous extract
    deleted: int  # rows gone from the source (or replaced by their changed version)
    landed: int

    def describe(self) -> str:
        return (f"{self.source_rows:,} rows, {self.changed:,} new or changed, {self.deleted:,} gone, "
                f"{self.landed:,} landed")


def check_schema(reader: Reader, log: Callable[[str], None]) -> None:
    """Before anything is written: every table and column we read exists; extra ones are named once."""
    found = reader.columns()
    for table in INGESTED:
        have = found.get(table.name)
        if have is None:
            raise SchemaDrift(f"the source has no table {table.name}: nothing was extracted "
                              "(renamed or dropped? the warehouse reads core/schema.py)")
        missing = [c for c in table.column_names if c not in have]
        if missing:
            raise SchemaDrift(f"source table {table.name} has no column {', '.join(missing)}: nothing was extracted "
                              "(renamed or dropped? the warehouse reads core/schema.py)")
        extra = [c for c in have if c not in table.column_names]
        if extra:
            log(f"  source table {table.name} has columns the warehouse does not read (ignored): {', '.join(extra)}")


def _hashed(table: Table, relation: str) -> str:
    """The source rows as text with a content hash (``_row_hash``)."""
    content = ", ".join(f"coalesce({c}, chr(30))" for c in table.column_names)
    return f"SELECT *, md5_number(concat_ws(chr(31), {content})) AS _row_hash FROM ({relation})"


# ``_src`` with identical rows numbered apart, so each counts: the second copy of a row hashes its
# hash and ``#2``, and so on.  Run only when some row repeats, which is rare.
_NUMBERED = ("SELECT * EXCLUDE (_copy) REPLACE (CASE WHEN _copy = 1 THEN _row_hash "
             "ELSE md5_number(_row_hash::VARCHAR || '#' || _copy::VARCHAR) END AS _row_hash) "
             "FROM (SELECT *, row_number() OVER (PARTITION BY _row_hash) AS _copy FROM _src)")


def _typed(table: Table) -> str:
    """The new rows of ``_new`` cast to the landing types, with their problems and, for those, the text read."""
    names = table.column_names
    v = {c: f"n.{c}" for c in names} | {f"{c}__typed": f"{c}__typed" for c in names}
    typed = ", ".join(f"{boundary.cast(c.type, 'n.' + c.name)} AS {c.name}__typed" for c in table.columns)
    as_read = ", ".join(f"{c} := {boundary.as_read('n.' + c)}" for c in names)
    return (f"SELECT {', '.join(f'{c}__typed' for c in names)}, now()::TIMESTAMP, _row_hash, _problems, "
            f"CASE WHEN _problems IS NOT NULL THEN to_json(struct_pack({as_read}))::VARCHAR END "
            f"FROM (SELECT *, {boundary.problems(table, v)} AS _problems FROM (SELECT n.*, {typed} FROM _new n) n) n")


def extract_table(con: duckdb.DuckDBPyConnection, reader: Reader, table: Table) -> TableExtract:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS {_hashed(table, reader.relation(table))}")
    source_rows, distinct = con.execute("SELECT count(*), count(DISTINCT _row_hash) FROM _src").fetchone()
    if distinct < source_rows:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS {_NUMBERED}")
    seen = f"(SELECT row_hash FROM vault.ops.source_rows WHERE source_table = '{table.name}')"
    if con.execute(f"SELECT EXISTS {seen}").fetchone()[0]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS SELECT s.* FROM _src s ANTI JOIN {seen} p "
                    "ON s._row_hash = p.row_hash")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _gone AS SELECT p.row_hash FROM {seen} p ANTI JOIN _src s "
                    "ON s._row_hash = p.row_hash")
    else:  # a first extract: every row is new and none gone, so no copy (city access_logs: 1.8 s)
        con.execute("ALTER TABLE _src RENAME TO _new")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _gone AS {seen}")
    con.execute("BEGIN")
    try:
        replaced = "_row_hash IS NULL OR _row_hash IN (SELECT row_hash FROM _gone)"
        if con.execute("SELECT count(*) FROM _gone").fetchone()[0]:
            subjects.remember_superseded(con, table, replaced)
        deleted = con.execute(f"DELETE FROM vault.raw.{table.name} WHERE {replaced}").fetchone()[0]
        changed = con.execute(f"INSERT INTO vault.raw.{table.name} {_typed(table)}").fetchone()[0]
        con.execute(f"DELETE FROM vault.ops.source_rows WHERE source_table = '{table.name}' "
                    "AND row_hash IN (SELECT row_hash FROM _gone)")
        con.execute(f"INSERT INTO vault.ops.source_rows SELECT '{table.name}', _row_hash FROM _new")
        landed = con.execute(f"SELECT count(*) FROM vault.raw.{table.name}").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for t in ("_src", "_new", "_gone"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    return TableExtract(table.name, int(source_rows), int(changed), int(deleted), int(landed))


def extract(con: duckdb.DuckDBPyConnection, source: Source,
            on_table: Callable[[TableExtract], None] | None = None,
            log: Callable[[str], None] = lambda m: None) -> list[TableExtract]:
    results = []
    # Rows are sets here (found by hash, landed by key): letting DuckDB write them in any order
    # reads the source on both threads.  City certificates: 4.7 s -> 3.3 s read and hashed.
    con.execute("SET preserve_insertion_order = false")
    try:
        with source.reader(con) as reader:
            check_schema(reader, log)
            for table in INGESTED:
                r = extract_table(con, reader, table)
                results.append(r)
                faults.point("extract")  # (tests) some tables extracted, the rest not
                if on_table:
                    on_table(r)
    finally:
        con.execute("RESET preserve_insertion_order")
    return results
