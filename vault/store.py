"""The encrypted vault file: connections able to open it, and reading it whole.

A DuckDB file encrypted with AES-GCM (DuckDB's own encryption, using the signed
httpfs extension that ships on PyPI, loaded by path: no download).  The key is
derived from the master key (``MasterKey.vault_key``), so a vault copied
without the key is unreadable; a wrong key fails at ATTACH, before any write.

DuckDB authenticates a block only when it reads it, and a truncated file still
opens: a session that writes into such a vault makes it unreadable for good.
So before a session may write, the vault is read whole here (``verify``);
``vault.session`` then checks its erasure ledger and keeps it as last good.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from anonymizer.errors import KeyInvalid
from anonymizer.keys import MasterKey
from core.errors import YihuiError
from core.layout import Layout
from vault.errors import VaultError


def extension_file(name: str) -> str:
    """The signed extension binary a ``duckdb-extension-<name>`` wheel ships, to LOAD by path (no download)."""
    import importlib

    package = f"duckdb_extension_{name}"
    base = Path(importlib.import_module(package).__file__).parent
    found = sorted(base.rglob(f"{name}.duckdb_extension"))
    if not found:
        raise VaultError(f"the {name} extension file is missing from {package.replace('_', '-')}: reinstall it")
    return str(found[-1])


def apply_limits(con: duckdb.DuckDBPyConnection, threads: int | None = None, memory_limit: str | None = None) -> None:
    """What every DuckDB session of ours uses of the machine (the vault's and the gate's).

    DuckDB's allocator (jemalloc, process-wide) gives freed pages back from a background thread;
    without it they go back only while DuckDB allocates: reading the whole vault to verify it (2.3 s
    on city) left the process at 2 GB for the rest of the run although DuckDB's buffers were free
    again (140 MB with it, 2 s later), under validation's and tokenising's own memory."""
    con.execute("SET allocator_background_threads = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")


def new_connection(data_dir: Path, threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session able to open encrypted files, spilling only encrypted."""
    tmp = Layout(data_dir).tmp_dir
    tmp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{extension_file('httpfs')}'")
    con.execute(f"SET temp_directory = '{tmp}'")
    con.execute("SET temp_file_encryption = true")
    apply_limits(con, threads, memory_limit)
    return con


def fsync(path: Path) -> None:
    """Flush a file, or a directory's entries after a rename, to disk: a replaced vault or key
    file must survive a power cut whole."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def vault_path(data_dir: Path) -> Path:
    return Layout(data_dir).vault_path


HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two database headers, before the first block
DAMAGE = ("AES tag", "Corrupt database file", "checksum", "Could not read enough bytes",
          "not a valid DuckDB database file", "database file is truncated")


class VaultDamaged(VaultError):
    """The vault (or a backup) cannot be read whole: nothing may be written into it."""


def damaged(path: Path, reason: str) -> VaultDamaged:
    return VaultDamaged(f"the vault {path} is damaged ({reason}): restore it with `yihui vault restore` "
                        "(backups: `yihui vault list`); nothing was written")


def open_error(exc: duckdb.Error, path: Path, key: MasterKey, damage: Callable[[str], YihuiError]) -> YihuiError:
    """DuckDB's message, sorted: a wrong key (its encrypted canary fails), damage, another writer, or else."""
    msg = str(exc)
    if "Wrong encryption key" in msg or "encryption key" in msg.lower():
        return KeyInvalid(
            f"the master key from {key.origin} does not open {path}: it is not the key this vault was written with")
    if any(mark in msg for mark in DAMAGE):
        return damage(_reason(msg))
    if "lock" in msg.lower():
        return VaultError(f"cannot open vault {path}: another process has it open")
    return VaultError(f"cannot open vault {path}: {type(exc).__name__}")


def _reason(msg: str, where: str = "") -> str:
    """DuckDB's failure in a few words (no file contents: DuckDB's messages carry offsets and checksums only)."""
    place = f" in {where}" if where else ""
    if "AES tag" in msg:
        return f"a block{place} fails its AES-GCM authentication"
    if "Could not read enough bytes" in msg:
        return f"a block{place} lies past the end of the file: the file is truncated"
    if "checksum" in msg:
        return f"a block{place} fails its checksum"
    return f"DuckDB cannot read it{place}"


def verify(con: duckdb.DuckDBPyConnection, path: Path, key: MasterKey, alias: str = "vault",
           damage: Callable[[str], YihuiError] | None = None) -> int:
    """Attach ``path`` read-only as ``alias`` and read it whole, or raise; leaves it attached.

    DuckDB checks a block's AES-GCM tag only when it reads the block, and a truncated file
    opens: so every column of every table is read (hashing each value, which no statistics
    can answer), and the file must be as long as the block count in its header says.  On
    ``small`` this costs about 0.1 s for a 28 MB vault.  Returns the bytes read.
    """
    damage = damage or (lambda reason: damaged(path, reason))
    size = path.stat().st_size
    if size < HEADER_BYTES:
        raise damage(f"{size:,} bytes, shorter than a DuckDB header")
    with path.open("rb") as fh:
        if fh.read(12)[8:12] != b"DUCK":
            raise damage("its header is not a DuckDB header")
    try:
        con.execute(f"ATTACH '{path}' AS {alias} (ENCRYPTION_KEY '{key.vault_key}', READ_ONLY)")
    except duckdb.Error as exc:
        raise open_error(exc, path, key, damage) from None
    # the alias is ours, inlined: a query with parameters makes DuckDB's Python client import pandas
    # (about 1 s), which a check this cheap should not pay
    block_size, blocks = con.execute("SELECT block_size, total_blocks FROM pragma_database_size() "
                                     f"WHERE database_name = '{alias}'").fetchone()
    # DuckDB writes whole blocks after its header, but its header may count blocks it has not yet
    # written (measured: a healthy vault 0.8 MB shorter than block count × size): so a cut is seen by
    # a length that is not header + whole blocks, and a cut on a block boundary by the reads below
    wal = path.with_name(path.name + ".wal")
    if (size - HEADER_BYTES) % block_size and not wal.exists():  # WAL replay may extend the file
        con.execute(f"DETACH {alias}")
        raise damage(f"truncated: {size:,} bytes is not a whole number of {block_size:,}-byte blocks "
                     f"(the header describes {HEADER_BYTES + blocks * block_size:,})")
    tables = con.execute(f"SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '{alias}' "
                         "ORDER BY 1, 2").fetchall()
    # an index (a PRIMARY KEY) lives in its own blocks, read only when a lookup uses it (a sweep
    # flipping a byte in every block of the tiny and small vaults found that block, and nothing else, missed)
    indexed: dict[tuple[str, str], list[str]] = {}
    for schema, table, cols in con.execute(
            "SELECT schema_name, table_name, constraint_column_names FROM duckdb_constraints() "
            f"WHERE database_name = '{alias}' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchall():
        if len(cols) == 1:
            indexed.setdefault((schema, table), []).append(cols[0])
    for schema, table in tables:
        name = f'{alias}."{schema}"."{table}"'
        try:
            con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {name}").fetchall()
            for col in indexed.get((schema, table), []):
                con.execute(f'SELECT count(*) FROM {name} WHERE "{col}" = (SELECT min("{col}") FROM {name})').fetchall()
        except duckdb.Error as exc:
            con.execute(f"DETACH {alias}")
            if any(mark in str(exc) for mark in DAMAGE):
                raise damage(_reason(str(exc), f"{schema}.{table}")) from None
            raise open_error(exc, path, key, damage) from None
    return size
