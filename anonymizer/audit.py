"""``yihui audit leaks``: proof that no raw identifier and no key left the vault.

The needles are every direct identifier the vault holds (the columns
``core.schema`` marks with an ``identifier`` kind, quarantined rows
included) plus the key material of this data folder (master secret, vault
key, every token key and its HMAC pads, as hex).  The haystacks are every
string column of every table in the analyst warehouse (and the staging copy
when one is lying around) and every file under the exports folder, dbt's
``target/`` and logs, and the Great Expectations folder.

A value is found when it appears whole or inside a longer string: digit runs
(spaces and dashes removed, so ``138 1234 5678`` counts) are cut into windows
the length of a mobile and of an ID number, Chinese runs into 2–4 character
windows (names), Latin runs and e-mail shapes are compared whole.  Each
distinct string is examined once, and the match is a hash join in DuckDB, so
the cost grows with the number of distinct strings, not rows × needles.

Findings name the place and the kind, with a count; never the value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from anonymizer import tokens
from anonymizer.domains import BY_NAME, DOMAINS, RELEASE_DOMAINS
from anonymizer.keys import MasterKey
from core.layout import Layout, Project
from core.schema import INGESTED

TOKEN_SHAPE = r"^[a-z]{2,3}_[0-9a-f]{32}$"
MIN_LENGTH = {"name": 2}  # other kinds: 6 characters, so short codes cannot match by chance
TEXT_SUFFIXES = {".csv", ".tsv", ".json", ".jsonl", ".txt", ".log", ".html", ".htm", ".md", ".sql", ".yml",
                 ".yaml", ".xml", ""}


@dataclass(frozen=True)
class Hit:
    location: str  # "schema.table.column" or a file path (relative to the data folder)
    kind: str
    values: int  # distinct leaking strings found there


@dataclass
class AuditResult:
    needles: dict[str, int]
    public_vocabulary: int  # needles dropped because the repo's own files spell them out
    scanned_columns: int
    scanned_files: int
    hits: list[Hit]


def key_material(key: MasterKey) -> list[str]:
    """Every secret this data folder's key yields, as the hex that could end up in a file."""
    secrets_ = [key.secret.hex(), key.vault_key]
    for d in DOMAINS + RELEASE_DOMAINS:
        tk = key.token_key(d.name)
        secrets_.append(tk.hex())
        secrets_.extend(tokens.hmac_pads(tk))
    return secrets_


def needle_value(column) -> str:
    """SQL for an identifier column's value as the audit looks for it (mobiles by their 11 digits…)."""
    if column.identifier == "mobile":
        return BY_NAME["mobile"].norm(column.name)
    if column.identifier == "id_number":
        return f"upper(trim({column.name}))"
    if column.identifier == "email":
        return f"lower(trim({column.name}))"
    return f"trim({column.name}::VARCHAR)"


def long_enough(kind: str, value_sql: str) -> str:
    return f"length({value_sql}) >= {MIN_LENGTH.get(kind, 6)}"


def collect_needles(con: duckdb.DuckDBPyConnection, key: MasterKey) -> None:
    """``needles(kind, value)``: raw identifiers from the vault (normalised) and key material; and
    ``superseded(kind, h)``: keyed hashes of the values the vault held before a correction replaced them
    (``vault.ops.superseded_values``, hashed with the session's ``ledger_hash``)."""
    parts = []
    for table in INGESTED:
        for c in table.columns:
            if not c.identifier:
                continue
            parts.append(f"SELECT '{c.identifier}' AS kind, {needle_value(c)} AS value FROM vault.raw.{table.name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE needles_raw AS {' UNION ALL '.join(parts)}")
    con.execute("CREATE OR REPLACE TEMP TABLE needles_key (kind VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO needles_key VALUES ('key', ?)", [[k] for k in key_material(key)])
    con.execute("CREATE OR REPLACE TEMP TABLE needles_key_upper AS SELECT kind, upper(value) AS value FROM needles_key")
    minimum = " ".join(f"WHEN kind = '{k}' THEN {n}" for k, n in MIN_LENGTH.items())
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE needles AS
        SELECT DISTINCT kind, value FROM (
            SELECT * FROM needles_raw UNION ALL SELECT * FROM needles_key UNION ALL SELECT * FROM needles_key_upper)
        WHERE value IS NOT NULL AND length(value) >= CASE {minimum} ELSE 6 END"""
    )
    con.execute("CREATE OR REPLACE TEMP TABLE superseded AS SELECT DISTINCT kind, h FROM vault.ops.superseded_values")


# Candidate pieces of one string ``s`` that a needle could equal.
PIECES = rf"""
CREATE OR REPLACE TEMP TABLE pieces AS
WITH strings AS (
    SELECT row_number() OVER () AS sid, s
    FROM (SELECT DISTINCT s FROM haystack WHERE s IS NOT NULL AND NOT regexp_matches(s, '{TOKEN_SHAPE}'))),
digit_runs AS (
    SELECT sid, upper(unnest(regexp_extract_all(regexp_replace(s, '[ \-]', '', 'g'), '[0-9Xx]{{11,}}'))) AS run
    FROM strings),
han_runs AS (SELECT sid, unnest(regexp_extract_all(s, '\p{{Han}}{{2,}}')) AS run FROM strings),
latin_runs AS (SELECT sid, unnest(regexp_extract_all(s, '[A-Za-z0-9_.@%+\-]{{6,}}')) AS run FROM strings),
cut AS (
    SELECT sid, s AS piece FROM strings WHERE length(s) <= 200
    UNION ALL SELECT sid, trim(s) FROM strings WHERE length(s) <= 200
    UNION ALL SELECT sid, run FROM latin_runs
    UNION ALL SELECT sid, lower(run) FROM latin_runs
    UNION ALL SELECT sid, substr(run, i, w)
        FROM digit_runs, (VALUES (11), (18)) AS widths(w), unnest(range(1, length(run) - w + 2)) AS t(i)
    UNION ALL SELECT sid, substr(run, i, w)
        FROM han_runs, (VALUES (2), (3), (4)) AS widths(w), unnest(range(1, length(run) - w + 2)) AS t(i)
)
SELECT * FROM cut
"""


def _pieces(con: duckdb.DuckDBPyConnection, haystack_sql: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP VIEW haystack AS {haystack_sql}")
    con.execute(PIECES)


def _match(con: duckdb.DuckDBPyConnection, haystack_sql: str) -> list[tuple[str, int]]:
    _pieces(con, haystack_sql)
    found = con.execute(
        "SELECT n.kind, count(DISTINCT p.sid) FROM pieces AS p JOIN needles AS n ON n.value = p.piece GROUP BY 1"
    ).fetchall()
    if con.execute("SELECT count(*) FROM superseded").fetchone()[0]:
        found += con.execute(
            "SELECT s.kind || ' (superseded)', count(DISTINCT p.sid) FROM pieces AS p "
            "JOIN superseded AS s ON s.h = ledger_hash(p.piece) GROUP BY 1").fetchall()
    return found


def drop_public_vocabulary(con: duckdb.DuckDBPyConnection, files: list[Path]) -> int:
    """Forget needles that our own committed files spell out; return how many.

    Some people are named like places (高平, 黄岩: in the region seed) and the
    encoding-error bad row's name 锟斤拷 is also written in a suite: a hit on
    those would be noise, not a leak.
    """
    lines = [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines()]
    con.execute("CREATE OR REPLACE TEMP TABLE vocabulary AS SELECT unnest(?::VARCHAR[]) AS s", [lines])
    _pieces(con, "SELECT s FROM vocabulary")
    before = con.execute("SELECT count(*) FROM needles").fetchone()[0]
    con.execute("DELETE FROM needles WHERE kind <> 'key' AND value IN (SELECT piece FROM pieces)")
    return before - con.execute("SELECT count(*) FROM needles").fetchone()[0]


def vocabulary_files(project_dir: Path) -> list[Path]:
    project = Project(project_dir)
    return sorted(project.seeds_dir.glob("*.csv")) + sorted(project.suites_dir.parent.rglob("*.json"))


def scan_database(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> tuple[int, list[Hit]]:
    """Every string column of every base table in the DuckDB file at ``path``."""
    con.execute(f"ATTACH '{path}' AS scanned (READ_ONLY)")
    try:
        columns = con.execute(
            "SELECT c.schema_name, c.table_name, c.column_name FROM duckdb_columns() AS c "
            "JOIN duckdb_tables() AS t USING (database_name, schema_name, table_name) "
            "WHERE c.database_name = 'scanned' AND c.data_type = 'VARCHAR' ORDER BY 1, 2, 3"
        ).fetchall()
        hits = []
        for schema, table, column in columns:
            found = _match(con, f'SELECT "{column}" AS s FROM scanned."{schema}"."{table}"')
            hits += [Hit(f"{label}:{schema}.{table}.{column}", kind, n) for kind, n in found]
        return len(columns), hits
    finally:
        con.execute("DETACH scanned")


def _files(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file())


def scan_file(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> list[Hit]:
    """Parquet by its string columns; DuckDB files as databases; anything else as lines of text."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        cols = con.execute("SELECT name FROM parquet_schema(?) WHERE type = 'BYTE_ARRAY'", [str(path)]).fetchall()
        union = " UNION ALL ".join(f'SELECT "{c[0]}"::VARCHAR AS s FROM read_parquet(\'{path}\')' for c in cols)
        found = _match(con, union) if union else []
    elif suffix == ".duckdb":
        return scan_database(con, path, label)[1]
    elif suffix in TEXT_SUFFIXES:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        con.execute("CREATE OR REPLACE TEMP TABLE file_lines AS SELECT unnest(?::VARCHAR[]) AS s", [raw.splitlines()])
        found = _match(con, "SELECT s FROM file_lines")
    else:
        found = []
    return [Hit(label, kind, n) for kind, n in found]


def binary_key_hits(path: Path, label: str, key: MasterKey) -> list[Hit]:
    """Key bytes (raw or hex) anywhere in a file, whatever its format."""
    data = path.read_bytes()
    material = key_material(key)
    needles = [bytes.fromhex(k) for k in material] + [k.encode() for k in material] + [k.upper().encode() for k in material]
    n = sum(1 for needle in needles if needle in data)
    return [Hit(label, "key", n)] if n else []


def default_targets(settings) -> tuple[list[Path], list[Path]]:
    """The published release and every build database (tokens only, never a raw value); exports,
    dbt target/logs, the GX folder, the docs and reports."""
    data_dir = settings.data_dir
    return ([settings.layout.warehouse_path, settings.layout.internal_path, settings.layout.staging_path, settings.layout.release_staging_path],
            list(Layout(data_dir).outputs))


def audit(con: duckdb.DuckDBPyConnection, key: MasterKey, data_dir: Path, databases: list[Path],
          file_roots: list[Path], vocabulary: list[Path]) -> AuditResult:
    """``con`` has the vault attached; nothing is written anywhere."""
    collect_needles(con, key)
    public = drop_public_vocabulary(con, vocabulary)
    needles = dict(con.execute("SELECT kind, count(*) FROM needles GROUP BY 1 ORDER BY 1").fetchall())
    scanned_columns, hits = 0, []
    for db in databases:
        if db.exists():
            n, found = scan_database(con, db, _label(db, data_dir))
            scanned_columns += n
            hits += found
            hits += binary_key_hits(db, _label(db, data_dir), key)
    files = [f for f in _files(file_roots) if f.name != Layout(data_dir).master_key.name]
    for f in files:
        hits += scan_file(con, f, _label(f, data_dir))
        if f.suffix.lower() != ".duckdb":
            hits += binary_key_hits(f, _label(f, data_dir), key)
    return AuditResult(needles, public, scanned_columns, len(files), _merge(hits))


def _merge(hits: list[Hit]) -> list[Hit]:
    merged: dict[tuple[str, str], int] = {}
    for h in hits:
        merged[(h.location, h.kind)] = merged.get((h.location, h.kind), 0) + h.values
    return [Hit(loc, kind, n) for (loc, kind), n in sorted(merged.items())]


def _label(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir))
    except ValueError:
        return str(path)
