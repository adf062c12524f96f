"""Our side of each benchmark: the real anonymizer paths, set up on synthetic data.

The token maps live in a real (AES-GCM encrypted) vault in a temporary folder,
opened with ``vault.session.open_vault``; ``landing.<table>`` are views shaped
like the validated landing tables, so ``anonymizer.tokens.update_maps`` runs
unchanged.  The alternative formulations below exist to find where the time
goes; nothing here is used by the pipeline.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from anonymizer import tokens
from anonymizer.domains import BY_NAME, DOMAINS
from anonymizer.keys import MasterKey
from core.schema import INGESTED, TYPES
from vault import schema
from vault.session import open_vault

RESIDENT_ID = "居民身份证"


def session(workdir: Path, key: MasterKey) -> duckdb.DuckDBPyConnection:
    """A pipeline-like session: encrypted vault attached, token macros installed, empty landing."""
    con = open_vault(workdir, key)
    tokens.install_macros(con, key)
    con.execute("CREATE SCHEMA IF NOT EXISTS landing")
    for table in INGESTED:
        cols = ", ".join(f"NULL::{TYPES[c.type][2]} AS {c.name}" for c in table.columns)
        con.execute(f"CREATE OR REPLACE VIEW landing.{table.name} AS SELECT {cols} WHERE false")
    return con


def landing_view(con: duckdb.DuckDBPyConnection, table: str, source: str, columns: dict[str, str]) -> None:
    """``landing.<table>`` over ``source``: the given columns from it, every other column NULL."""
    spec = next(t for t in INGESTED if t.name == table)
    cols = ", ".join(f"{columns[c.name]} AS {c.name}" if c.name in columns
                     else f"NULL::{TYPES[c.type][2]} AS {c.name}" for c in spec.columns)
    con.execute(f"CREATE OR REPLACE VIEW landing.{table} AS SELECT {cols} FROM {source}")


def empty_maps(con: duckdb.DuckDBPyConnection, primary_key: bool = False) -> None:
    """Every value is new again: the maps are dropped (and the file checkpointed) and created again,
    as ``vault.schema`` creates them (no PRIMARY KEY), or with a PRIMARY KEY on ``value`` to measure
    what the index costs."""
    for d in DOMAINS:
        con.execute(f"DROP TABLE IF EXISTS vault.tokens.{d.name}")
    con.execute("CHECKPOINT vault")
    if primary_key:
        for d in DOMAINS:
            con.execute(f"CREATE TABLE vault.tokens.{d.name} (value VARCHAR PRIMARY KEY, token VARCHAR NOT NULL, "
                        "key_version INTEGER NOT NULL, first_seen_run VARCHAR NOT NULL)")
    schema.create(con)


def map_sizes(con: duckdb.DuckDBPyConnection, *names: str) -> dict[str, int]:
    return {n: con.execute(f"SELECT count(*) FROM vault.tokens.{n}").fetchone()[0] for n in names}


def run_update_maps(con: duckdb.DuckDBPyConnection, key: MasterKey) -> tuple[float, int]:
    """The real path: ``anonymizer.tokens.update_maps`` (which proves each map holds a value once);
    (seconds, tokens added)."""
    t = time.perf_counter()
    added = tokens.update_maps(con, key, "bench")
    return time.perf_counter() - t, sum(added.values())


# -- SQL formulations of the keyed hash, on a plain table of values (no map) -----------------------

def sql_formulations(key: MasterKey) -> dict[str, str]:
    """Expressions over ``v`` (VARCHAR); the first is the macro of ``anonymizer/tokens.py``."""
    ipad, opad = tokens.hmac_pads(key.token_key("mobile"))
    inner = f"sha256(unhex('{ipad}') || encode(v))"
    return {
        "macro as in tokens.py (2 sha256 calls + hex/unhex + prefix)": "tok_mobile(v)",
        "same HMAC without prefix and substr": f"sha256(unhex('{opad}') || unhex({inner}))",
        "inner sha256 call only (half an HMAC)": inner,
        "one sha256 of the bare value (1 block)": "sha256(v)",
    }


def materialise(con: duckdb.DuckDBPyConnection, expr: str, source: str) -> float:
    t = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE _bench_out AS SELECT v, {expr} AS t FROM {source}")
    return time.perf_counter() - t


def duckdb_sha256_bulk_mb_s(con: duckdb.DuckDBPyConnection) -> float:
    """DuckDB's own SHA-256 on 16 KiB blobs, one thread: MB/s (its per-block speed, no SQL cost)."""
    n = con.execute("SELECT count(*) * 16384 FROM _bench_blobs").fetchone()[0]
    t = time.perf_counter()
    con.execute("SELECT max(sha256(b)) FROM _bench_blobs").fetchone()
    return n / (time.perf_counter() - t) / 1e6


def make_blobs(con: duckdb.DuckDBPyConnection, count: int = 4096) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _bench_blobs AS "
                f"SELECT repeat(chr((65 + i % 26)::INTEGER), 16384)::BLOB AS b FROM range({count}) r(i)")


def pseudonymise_rows(con: duckdb.DuckDBPyConnection) -> float:
    """Replace mobile and ID number of ``bench_rows`` by tokens: joins on the maps (as in
    ``anonymizer/sql/pseudo``), into a session table.  Seconds."""
    person, mobile = BY_NAME["person"], BY_NAME["mobile"]
    assert person.name == "person" and mobile.name == "mobile"
    t = time.perf_counter()
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _bench_pseudo AS
        SELECT r.row_id, tp.token AS person_key, tm.token AS mobile_key, r.amount_fen, r.created_on
        FROM bench_rows AS r
        LEFT JOIN vault.tokens.person AS tp ON tp.value = norm_person('{RESIDENT_ID}', r.id_number)
        LEFT JOIN vault.tokens.mobile AS tm ON tm.value = norm_mobile(r.mobile)"""
    )
    return time.perf_counter() - t
