"""The encrypted vault: the only place raw personal data lives after extraction.

A DuckDB file encrypted with AES-GCM (DuckDB's own encryption, using the signed
httpfs extension that ships on PyPI, loaded by path: no download).  The key is
derived from the master key (``MasterKey.vault_key``), so a vault copied
without the key is unreadable; a wrong key fails at ATTACH, before any write.

Schemas inside the vault:
  raw         landing copies of the operational tables (incremental upserts)
  tokens      one token map per identifier domain (value -> token)
  quarantine  rows that failed validation, with run id and reason
  ops         extraction watermarks and the run log
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from anonymizer.errors import KeyInvalid
from anonymizer.keys import MasterKey
from pipelines.errors import VaultError

VAULT_FILE = "vault.duckdb"
SCHEMAS = ("raw", "tokens", "quarantine", "ops")


def extension_file(name: str) -> str:
    """The signed extension binary a ``duckdb-extension-<name>`` wheel ships, to LOAD by path (no download)."""
    import importlib

    package = f"duckdb_extension_{name}"
    base = Path(importlib.import_module(package).__file__).parent
    found = sorted(base.rglob(f"{name}.duckdb_extension"))
    if not found:
        raise VaultError(f"the {name} extension file is missing from {package.replace('_', '-')}: reinstall it")
    return str(found[-1])


def new_connection(data_dir: Path, threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session able to open encrypted files, spilling only encrypted."""
    tmp = data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{extension_file('httpfs')}'")
    con.execute(f"SET temp_directory = '{tmp}'")
    con.execute("SET temp_file_encryption = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


def vault_path(data_dir: Path) -> Path:
    return data_dir / VAULT_FILE


def attach_vault(con: duckdb.DuckDBPyConnection, data_dir: Path, key: MasterKey, *, read_only: bool = False) -> None:
    path = vault_path(data_dir)
    if read_only and not path.exists():
        raise VaultError(f"no vault at {path}: run `yihui extract` (or `yihui run`) first")
    opts = ", READ_ONLY" if read_only else ""
    try:
        con.execute(f"ATTACH '{path}' AS vault (ENCRYPTION_KEY '{key.vault_key}'{opts})")
    except duckdb.Error as exc:
        msg = str(exc)
        if "Wrong encryption key" in msg or "encryption key" in msg.lower():
            raise KeyInvalid(
                f"the master key from {key.origin} does not open {path}: it is not the key this vault was written with"
            ) from None
        raise VaultError(f"cannot open vault {path}: {type(exc).__name__}") from None
    if not read_only:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS vault.{schema}")


def open_vault(data_dir: Path, key: MasterKey, *, read_only: bool = False, **settings) -> duckdb.DuckDBPyConnection:
    con = new_connection(data_dir, **settings)
    attach_vault(con, data_dir, key, read_only=read_only)
    return con
