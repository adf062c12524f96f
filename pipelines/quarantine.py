"""Quarantine: rows that failed a row-level rule, kept in the vault with a reason.

Nothing is dropped: a quarantined row stays in ``vault.raw`` untouched and is
flagged here (``current`` holds the latest validation's verdicts, ``history``
every run's).  Pseudonymisation reads ``landing.<table>`` views that exclude the
current verdicts, so a row corrected in the source passes on the next run and
leaves quarantine by itself.  ``vault.ops.reconciliation`` proves per run and
table that source rows = loaded + quarantined + withheld (erased people) rows.

A verdict names its row by ``row_hash`` (the extract's content hash) as well as
its key: a row without a key, or one of two rows sharing a key, is still one
row, counted once.
"""

from __future__ import annotations

import duckdb

from core.schema import INGESTED, Table


def create_landing_views(con: duckdb.DuckDBPyConnection) -> None:
    """``landing.<table>``: the vault's raw rows minus the current quarantine and rows under a
    legal hold after an erasure, and ``landing_hashes.<table>``: the same rows' keys (own, account and
    parents') and content hashes, what the pseudonymiser detects changed accounts by (session-only views)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS memory.landing")
    con.execute("CREATE SCHEMA IF NOT EXISTS memory.landing_hashes")
    for t in INGESTED:
        landed = (
            f"FROM vault.raw.{t.name} WHERE {t.primary_key} IS NOT NULL AND {t.primary_key} NOT IN (SELECT source_key "
            f"FROM vault.quarantine.current WHERE source_table = '{t.name}' AND source_key IS NOT NULL) AND {t.primary_key} NOT IN (SELECT source_key FROM "
            f"vault.ops.legal_hold WHERE source_table = '{t.name}')"
        )
        con.execute(f"CREATE OR REPLACE VIEW memory.landing.{t.name} AS "
                    f"SELECT * EXCLUDE (_row_hash, _problems, _source_json) {landed}")
        keys = dict.fromkeys([t.primary_key, *(["account_id"] if "account_id" in t.column_names else []),
                              *t.foreign_keys, "_row_hash"])
        con.execute(f"CREATE OR REPLACE VIEW memory.landing_hashes.{t.name} AS SELECT {', '.join(keys)} {landed}")


def counts_by_reason(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Rows per table and reason (a row failing two rules of one reason counts once)."""
    out: dict[str, dict[str, int]] = {}
    for table, reason, n in con.execute(
        "SELECT source_table, reason_code, count(DISTINCT coalesce(row_hash::VARCHAR, source_key::VARCHAR)) "
        "FROM vault.quarantine.current GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        out.setdefault(table, {})[reason] = n
    return out


def quarantined_rows(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """Raw rows of ``table`` the current verdicts keep out of landing (every copy of a repeated key)."""
    return con.execute(
        f"SELECT count(*) FROM vault.raw.{table.name} WHERE _row_hash IN (SELECT row_hash FROM vault.quarantine.current "
        f"WHERE source_table = '{table.name}') OR ({table.primary_key} IS NOT NULL AND {table.primary_key} IN "
        f"(SELECT source_key FROM vault.quarantine.current WHERE source_table = '{table.name}'))").fetchone()[0]


def record(con: duckdb.DuckDBPyConnection, run_id: str, table: Table, verdicts: str) -> None:
    """Current verdicts and their history (with the row as landed) from ``verdicts``, a relation of
    (source_key, reason_code, rule, row_hash)."""
    con.execute(f"INSERT INTO vault.quarantine.current (run_id, source_table, source_key, reason_code, rule, "
                f"detected_at, row_hash) SELECT '{run_id}', '{table.name}', source_key, reason_code, rule, "
                f"now()::TIMESTAMP, row_hash FROM {verdicts}")
    con.execute(f"INSERT INTO vault.quarantine.history (run_id, source_table, source_key, reason_code, rule, "
                f"detected_at, row_json, row_hash) SELECT '{run_id}', '{table.name}', v.source_key, v.reason_code, "
                f"v.rule, now()::TIMESTAMP, to_json(r)::VARCHAR, v.row_hash FROM {verdicts} v "
                f"JOIN vault.raw.{table.name} r ON r._row_hash = v.row_hash")
