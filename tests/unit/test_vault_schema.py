"""The vault's tables are created in one place (``vault.schema``), so no reader has to probe for them."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from vault import schema

PROJECT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "vault", "pipelines", "anonymizer", "audiences", "models", "macros")


def _attached(tmp_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'vault.duckdb'}' AS vault")
    return con


def _tables(con) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'vault'").fetchall()}


def test_creating_the_schema_twice_changes_nothing(tmp_path):
    con = _attached(tmp_path)
    schema.create(con)
    first = con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                        "WHERE database_name = 'vault' ORDER BY ALL").fetchall()
    schema.create(con)
    again = con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                        "WHERE database_name = 'vault' ORDER BY ALL").fetchall()
    assert first == again
    assert _tables(con) == set(schema.TABLES)


def test_a_vault_from_before_a_column_was_added_gets_it(tmp_path):
    con = _attached(tmp_path)
    con.execute("CREATE SCHEMA vault.ops")
    con.execute("CREATE TABLE vault.ops.reconciliation (run_id VARCHAR, source_table VARCHAR, source_rows BIGINT, "
                "loaded_rows BIGINT, quarantined_rows BIGINT)")
    con.execute("INSERT INTO vault.ops.reconciliation VALUES ('r1', 'accounts', 3, 3, 0)")
    schema.create(con)
    assert con.execute("SELECT withheld_rows FROM vault.ops.reconciliation").fetchall() == [(0,)]


def test_every_vault_table_the_code_names_is_created_by_the_schema():
    named = set()
    for folder in SOURCES:
        for path in (PROJECT / folder).rglob("*"):
            if path.suffix in (".py", ".sql"):
                named |= {f"{s}.{t}" for s, t in re.findall(
                    r"\bvault\.(raw|tokens|quarantine|ops)\.([a-z_]+)\b", path.read_text(encoding="utf-8"))}
    assert named, "the scan found the vault's tables"
    assert named - set(schema.TABLES) == set()


def test_token_values_of_an_earlier_mobile_rule_are_dropped(tmp_path):
    con = _attached(tmp_path)
    schema.create(con)
    con.execute("INSERT INTO vault.tokens.mobile VALUES ('8613812345678', 'mob_old', 1, 'r0'), "
                "('13812345678', 'mob_new', 1, 'r1')")
    con.execute("INSERT INTO vault.tokens.contact VALUES ('张伟|008613812345678', 'ctc_old', 1, 'r0'), "
                "('张伟|13812345678', 'ctc_new', 1, 'r1')")
    schema.create(con)
    assert con.execute("SELECT token FROM vault.tokens.mobile UNION ALL SELECT token FROM vault.tokens.contact "
                       "ORDER BY 1").fetchall() == [("ctc_new",), ("mob_new",)]


def test_our_duckdb_sessions_and_dbts_return_freed_memory_to_the_system(tmp_path):
    """Without jemalloc's background purge, pages DuckDB freed stayed in the process until the run
    ended (the vault's verification read left 2 GB behind on city): the run's peak memory."""
    import yaml

    from vault.store import new_connection

    con = new_connection(tmp_path)
    assert con.execute("SELECT current_setting('allocator_background_threads')").fetchone()[0] is True
    profile = yaml.safe_load((PROJECT / "profiles" / "profiles.yml").read_text())
    assert profile["yihui"]["outputs"]["duckdb"]["settings"]["allocator_background_threads"] is True
