"""Quarantine: rows that failed a row-level rule, kept in the vault with a reason.

Nothing is dropped: a quarantined row stays in ``vault.raw`` untouched and is
flagged here (``current`` holds the latest validation's verdicts, ``history``
every run's).  Pseudonymisation reads ``landing.<table>`` views that exclude the
current verdicts, so a row corrected in the source passes on the next run and
leaves quarantine by itself.  ``vault.ops.reconciliation`` proves per run and
table that source rows = loaded + quarantined + withheld (erased people) rows.
"""

from __future__ import annotations

import duckdb

from pipelines.schema import INGESTED


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    cols = ("run_id VARCHAR, source_table VARCHAR, source_key BIGINT, reason_code VARCHAR, "
            "rule VARCHAR, detected_at TIMESTAMP")
    con.execute(f"CREATE TABLE IF NOT EXISTS vault.quarantine.current ({cols})")
    con.execute(f"CREATE TABLE IF NOT EXISTS vault.quarantine.history ({cols}, row_json VARCHAR)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS vault.ops.reconciliation (run_id VARCHAR, source_table VARCHAR, "
        "source_rows BIGINT, loaded_rows BIGINT, quarantined_rows BIGINT)"
    )
    # rows of erased people the source still holds, or kept under a legal hold
    con.execute("ALTER TABLE vault.ops.reconciliation ADD COLUMN IF NOT EXISTS withheld_rows BIGINT DEFAULT 0")


def create_landing_views(con: duckdb.DuckDBPyConnection) -> None:
    """``landing.<table>``: the vault's raw rows minus the current quarantine and rows under a
    legal hold after an erasure (session-only views)."""
    from pipelines.subjects import ensure_ledger

    ensure_tables(con)
    ensure_ledger(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS memory.landing")
    for t in INGESTED:
        con.execute(
            f"CREATE OR REPLACE VIEW memory.landing.{t.name} AS SELECT * FROM vault.raw.{t.name} "
            f"WHERE {t.primary_key} NOT IN (SELECT source_key FROM vault.quarantine.current "
            f"WHERE source_table = '{t.name}') AND {t.primary_key} NOT IN (SELECT source_key FROM "
            f"vault.ops.legal_hold WHERE source_table = '{t.name}')"
        )


def counts_by_reason(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for table, reason, n in con.execute(
        "SELECT source_table, reason_code, count(DISTINCT source_key) FROM vault.quarantine.current "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        out.setdefault(table, {})[reason] = n
    return out
