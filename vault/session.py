"""Opening the vault: the one way any command or stage gets at raw personal data.

A session first finishes or rolls back a key rotation a crash interrupted, loads
the master key (a missing or wrong key stops here, before any write), and, to
write, attaches the vault only once it has been read whole and its erasure
ledger is not behind ``ledger.state``: a damaged vault written into is lost for
good, and a vault rebuilt without its ledger brings erased people back.  The
checked vault is kept as ``backups/last-good.duckdb`` before anything writes to
it, and every table the vault should hold is created (``vault.schema``).

A run opens one session and hands it to every stage, the release gate included.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from anonymizer.domains import install_value_macros
from anonymizer.keys import MasterKey, key_path, load_key
from core.settings import Settings
from vault import backup, ledger_state, schema
from vault.errors import VaultError
from vault.store import damaged, fsync, new_connection, open_error, vault_path, verify

Log = Callable[[str], None]


def next_paths(data_dir: Path) -> tuple[Path, Path]:
    """Where a key rotation writes the new key and vault before its two renames (``vault.rotate``)."""
    return key_path(data_dir).with_name("master.key.next"), vault_path(data_dir).with_name("vault.duckdb.next")


def recover(data_dir: Path) -> str | None:
    """Finish or roll back a rotation a crash interrupted; say which."""
    key_next, vault_next = next_paths(data_dir)
    if not key_next.exists():
        for leftover in (vault_next, vault_next.with_name(vault_next.name + ".wal")):
            leftover.unlink(missing_ok=True)
        return None
    if vault_next.exists():  # crashed before the commit point: the old key and vault still hold
        vault_next.unlink()
        vault_next.with_name(vault_next.name + ".wal").unlink(missing_ok=True)
        key_next.unlink()
        return "rolled back an interrupted key rotation"
    os.replace(key_next, key_path(data_dir))  # crashed after the commit point
    fsync(key_next.parent)
    return "completed an interrupted key rotation"


def attach(con: duckdb.DuckDBPyConnection, data_dir: Path, key: MasterKey, *, read_only: bool = False,
           keep_last_good: bool = False) -> None:
    """Attach the vault as ``vault``; for writing, read whole, its ledger checked, its tables created."""
    path = vault_path(data_dir)
    if read_only and not path.exists():
        raise VaultError(f"no vault at {path}: run `yihui extract` (or `yihui run`) first")
    if not read_only:
        if path.exists():
            verify(con, path, key)
            try:
                ledger_state.check(data_dir, path, ledger_state.read(con))
                if keep_last_good:
                    backup.keep_last_good(con, data_dir, key)
            finally:
                con.execute("DETACH vault")
        else:
            ledger_state.check(data_dir, path, ledger_state.LedgerState())
    opts = ", READ_ONLY" if read_only else ""
    try:
        con.execute(f"ATTACH '{path}' AS vault (ENCRYPTION_KEY '{key.vault_key}'{opts})")
    except duckdb.Error as exc:
        raise open_error(exc, path, key, lambda reason: damaged(path, reason)) from None
    if not read_only:
        schema.create(con)
        ledger_state.install_hash(con)
    install_value_macros(con)


def open_vault(data_dir: Path, key: MasterKey, *, read_only: bool = False, keep_last_good: bool = False,
               threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A new connection with the vault attached (see ``attach``)."""
    con = new_connection(data_dir, threads=threads, memory_limit=memory_limit)
    try:
        attach(con, data_dir, key, read_only=read_only, keep_last_good=keep_last_good)
    except BaseException:
        con.close()
        raise
    return con


def open_session(settings: Settings, log: Log = lambda m: None) -> tuple[MasterKey, duckdb.DuckDBPyConnection]:
    """The key and a writable vault session; the caller closes it (or uses ``session``)."""
    repaired = recover(settings.data_dir)
    if repaired:
        log(repaired)
    key = load_key(settings.data_dir)
    # read whole and its ledger checked before any write; the state before this session kept as last good
    con = open_vault(settings.data_dir, key, keep_last_good=True, threads=settings.threads,
                     memory_limit=settings.memory_limit)
    return key, con


@contextmanager
def session(settings: Settings, log: Log = lambda m: None) -> Iterator[tuple[MasterKey, duckdb.DuckDBPyConnection]]:
    """``with session(settings) as (key, con):`` a writable vault session, closed however the block ends."""
    key, con = open_session(settings, log)
    try:
        yield key, con
    finally:
        con.close()
