"""Pseudonymise: validated landing rows (vault) → analyst-safe tables (warehouse ``pseudo`` schema).

Identifiers become keyed tokens (``anonymizer.tokens``); quasi-identifiers are
generalised on the way (birthday → age and age band at the reference date, ID
region → district/city/province from the GB/T 2260 seed, IP → network and city);
names and raw numbers are not carried, free text only redacted.  One SQL file per table in
``anonymizer/sql/pseudo`` says exactly which columns reach the warehouse.

Counts must reconcile: every validated landing row yields exactly one warehouse
row, or the stage fails (a row silently lost in a join is a defect).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from anonymizer import changes, notes, tokens
from anonymizer.domains import DOMAINS, install_value_macros
from anonymizer.errors import AnonymizerError
from anonymizer.keys import MasterKey
from core import faults
from core.layout import PROJECT
from core.schema import INGESTED

SQL_DIR = Path(__file__).parent / "sql"
# Every pseudonymised row carries the run that wrote it: a build that updates the last build database in
# place scans only this run's rows for raw identifiers, the others having passed that scan already
# (``pipelines.build.raw_scan_only``).
WRITTEN_IN = "_pseudonymised_in"


@dataclass
class PseudonymiseResult:
    tokens_added: dict[str, int]
    rows: dict[str, int]
    notes_redacted: int = 0  # service notes redacted this run; the others' redactions were still valid
    plan: changes.Plan = field(default_factory=changes.Plan)  # what was pseudonymised again


def install_shared_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The SQL derivations (``anonymizer/sql/macros.sql``), as TEMP macros of this session, with the
    token values' ``norm_<domain>`` they build on."""
    install_value_macros(con)
    for statement in _statements((SQL_DIR / "macros.sql").read_text()):
        con.execute(statement)


def _statements(text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def load_seeds(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE seed_regions AS SELECT * FROM read_csv('{PROJECT.seed('regions')}', "
        "all_varchar = true, header = true)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE seed_age_bands AS SELECT * FROM read_csv('{PROJECT.seed('age_bands')}', "
        "header = true)"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE seed_ip_networks AS
        SELECT network, prefix_length::INTEGER AS prefix_length, city_code, isp,
               ipv4_int(network) AS first_ip,
               ipv4_int(network) + (1::BIGINT << (32 - prefix_length::INTEGER)) - 1 AS last_ip
        FROM read_csv('{PROJECT.seed('ip_networks')}', all_varchar = true, header = true)"""
    )


def prepare_session(con: duckdb.DuckDBPyConnection, key: MasterKey, as_of: date) -> None:
    install_shared_macros(con)
    tokens.install_macros(con, key)
    con.execute(f"CREATE OR REPLACE TEMP MACRO as_of() AS DATE '{as_of.isoformat()}'")
    load_seeds(con)


def _stamped(sql: str, run_id: str) -> str:
    return f"SELECT *, '{run_id}' AS {WRITTEN_IN} FROM (\n{sql}\n)"


def pseudonymise(con: duckdb.DuckDBPyConnection, key: MasterKey, as_of: date, run_id: str,
                 warehouse: Path, incremental: bool = False) -> PseudonymiseResult:
    """Requires ``landing.<table>`` and ``landing_hashes.<table>`` views (validated rows) on ``con``.

    ``incremental``: ``warehouse`` is a copy of the last published build database, updated in place
    where ``anonymizer.changes`` finds it may be (the accounts whose rows changed); else every table
    is written afresh."""
    prepare_session(con, key, as_of)
    redacted = notes.redact_notes(con)
    con.execute(f"ATTACH '{warehouse}' AS wh")
    # Our SQL joins each lookup (keys, token maps, seeds) on the right, where DuckDB builds its hash
    # table; its optimiser, misled by the landing views' estimates (rows minus two anti-joins), swapped
    # them and hashed the 4.7M wide landing rows of city's access logs instead of 590k tokens: the
    # tables' SQL took 15.6 s instead of 25 s with the swap left out.
    try:
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        con.execute("CREATE SCHEMA IF NOT EXISTS wh.pseudo")
        fingerprints = {t.name: changes.fingerprint(t, key, as_of) for t in INGESTED}
        plan = changes.plan(con, incremental, fingerprints)
        sqls = {t.name: (SQL_DIR / "pseudo" / f"{t.name}.sql").read_text() for t in INGESTED}
        if plan.afresh:
            added = tokens.update_maps(con, key, run_id)
        else:  # values new to the maps can only be in the changed accounts' rows
            changes.delta_tables(con, plan, sqls, also={table for d in DOMAINS for table, _ in d.sources})
            added = tokens.update_maps(con, key, run_id, schema=f"delta_{changes.CHANGED}")
            changes.delete_changed(con, plan)
        for statement in _statements((SQL_DIR / "pseudo" / "_keys.sql").read_text()):
            con.execute(statement)
        rows = {}
        for table in INGESTED:
            sql = sqls[table.name]
            if plan.incremental(table.name):  # the redone accounts' rows, from their landing rows alone
                delta = changes.delta_sql(plan, table.name, sql)
                con.execute(f"INSERT INTO wh.pseudo.{table.name} BY NAME {_stamped(delta, run_id)}")
            else:
                con.execute(f"CREATE OR REPLACE TABLE wh.pseudo.{table.name} AS {_stamped(sql, run_id)}")
            out = con.execute(f"SELECT count(*) FROM wh.pseudo.{table.name}").fetchone()[0]
            expected = con.execute(f"SELECT count(*) FROM landing.{table.name}").fetchone()[0]
            if out != expected:
                raise AnonymizerError(
                    f"pseudonymising {table.name} produced {out} rows from {expected} validated rows: "
                    "rows would be lost, nothing is published"
                    + (" (the build database was updated in place: `--full-refresh` writes it afresh)"
                       if plan.incremental(table.name) else "")
                )
            rows[table.name] = out
            faults.point("pseudonymise")  # (tests) a half-written staging warehouse
        changes.remember(con, run_id, fingerprints)
        con.execute("CREATE SCHEMA IF NOT EXISTS wh.meta")
        con.execute(
            f"CREATE OR REPLACE TABLE wh.meta.build_info AS SELECT '{run_id}' AS run_id, "
            f"DATE '{as_of.isoformat()}' AS as_of_date, now()::TIMESTAMP AS pseudonymised_at"
        )
    finally:
        con.execute("RESET disabled_optimizers")
        con.execute("DETACH wh")
    return PseudonymiseResult(added, rows, redacted, plan)

