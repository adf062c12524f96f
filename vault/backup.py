"""Backups of the vault: the only copy of the raw landing data, token maps and erasure ledger.

A backup is the vault copied into a new DuckDB file encrypted with the same key
(``COPY FROM DATABASE`` from a read-only attach: consistent even with a WAL
pending, compacted, and every block read, so a damaged vault cannot be backed
up as if it were good).  No key, key id or manifest is written beside it: a
backup is as unreadable without the master key as the vault itself.

``backups/last-good.duckdb`` is refreshed by every writing session after the
vault passed its check and before the first write: a byte copy of the checked
file while it is attached read-only (DuckDB's shared lock keeps writers out),
or a ``COPY FROM DATABASE`` when a WAL is pending.  So a session that damages
the vault leaves the state before it one ``yihui vault restore`` away.

Restore reads the backup whole with the current key before touching the vault,
then swaps it in with ``os.replace``; the vault it replaces is kept beside it
as ``vault.duckdb.damaged-<time>`` (with its WAL), never deleted.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from anonymizer.errors import KeyInvalid
from anonymizer.keys import MasterKey, load_key
from core.layout import Layout
from vault import ledger_state
from vault.errors import VaultError
from vault.store import VaultDamaged, fsync, new_connection, vault_path, verify


@dataclass
class BackupFile:
    path: Path
    kind: str  # "backup" (yihui vault backup) or "last good" (kept by a writing session)
    taken_at: datetime
    size: int


@dataclass
class Restored:
    backup: BackupFile
    set_aside: Path | None  # the vault it replaced, kept
    ledger_behind: tuple[int, int] | None  # (entries in the backup, entries ledger.state records) if behind


def backup_dir(data_dir: Path) -> Path:
    path = Layout(data_dir).backups_dir
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _free(path: Path) -> Path:
    """``path``, or ``path`` with -2, -3… before the suffix if taken (two within one second)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _copy_database(con: duckdb.DuckDBPyConnection, key: MasterKey, target: Path, source: str = "vault") -> None:
    """``source`` (attached) into a new file at ``target`` under the same key, written then renamed."""
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con.execute(f"ATTACH '{tmp}' AS backup_target (ENCRYPTION_KEY '{key.vault_key}')")
        try:
            con.execute(f"COPY FROM DATABASE {source} TO backup_target")
            con.execute("CHECKPOINT backup_target")
        finally:
            con.execute("DETACH backup_target")
        tmp.chmod(0o600)
        fsync(tmp)
        os.replace(tmp, target)
    finally:  # a failed copy (a full disk) leaves nothing half-written behind
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def keep_last_good(con: duckdb.DuckDBPyConnection, data_dir: Path, key: MasterKey) -> Path:
    """The vault attached read-only as ``vault`` (just verified) → ``backups/last-good.duckdb``.

    A byte copy (about 15 ms for the 28 MB ``small`` vault) unless a WAL is pending, whose
    changes the file alone lacks: then a ``COPY FROM DATABASE`` (about 0.6 s on ``small``).
    """
    backup_dir(data_dir)  # made, mode 0700, on first use
    target = Layout(data_dir).last_good_backup
    source = vault_path(data_dir)
    if source.with_name(source.name + ".wal").exists():
        _copy_database(con, key, target)
        return target
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        shutil.copyfile(source, tmp)
        tmp.chmod(0o600)
        fsync(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def backup(data_dir: Path) -> BackupFile:
    """A timestamped copy of the vault, read whole on the way in and checked again once written."""
    key = load_key(data_dir)
    source = vault_path(data_dir)
    if not source.exists():
        raise VaultError(f"no vault at {source}: nothing to back up (run `yihui run` first)")
    target = _free(backup_dir(data_dir) / f"vault-{_stamp()}.duckdb")
    con = new_connection(data_dir)
    try:
        verify(con, source, key)
        _copy_database(con, key, target)
        verify(con, target, key, alias="written", damage=lambda r: VaultError(f"the backup just written fails its "
                                                                              f"check ({r}): {target} is not usable"))
    finally:
        con.close()
    return _describe(target, Layout(data_dir))


def _describe(path: Path, layout: Layout) -> BackupFile:
    st = path.stat()
    kind = "last good" if path == layout.last_good_backup else "backup"
    return BackupFile(path, kind, datetime.fromtimestamp(st.st_mtime, UTC), st.st_size)


def list_backups(data_dir: Path) -> list[BackupFile]:
    """Every backup and the last good copy, oldest first."""
    layout = Layout(data_dir)
    folder = layout.backups_dir
    if not folder.is_dir():
        return []
    return sorted((_describe(p, layout) for p in folder.glob("*.duckdb") if not p.name.startswith(".")),
                  key=lambda b: b.taken_at)


def _choose(data_dir: Path, name: str | None) -> BackupFile:
    found = list_backups(data_dir)
    if not found:
        raise VaultError(f"no backup in {Layout(data_dir).backups_dir}: nothing to restore from")
    if name is None:
        return found[-1]
    for b in found:
        if name in (b.path.name, b.path.stem, str(b.path)):
            return b
    raise VaultError(f"no backup named {name} in {Layout(data_dir).backups_dir} (see `yihui vault list`)")


def restore(data_dir: Path, name: str | None = None) -> Restored:
    """Check the backup opens with the current key and reads whole, then swap it in; keep the old vault aside."""
    chosen = _choose(data_dir, name)
    key = load_key(data_dir)
    vault = vault_path(data_dir)
    staged = vault.with_name(vault.name + ".restoring")
    con = new_connection(data_dir)
    try:
        shutil.copyfile(chosen.path, staged)  # checked as the copy that will become the vault
        try:
            verify(con, staged, key, alias="candidate",
                   damage=lambda r: VaultDamaged(f"the backup {chosen.path} is damaged too ({r}): choose another "
                                                 "from `yihui vault list`; the vault was not touched"))
        except KeyInvalid:
            raise KeyInvalid(f"the master key from {key.origin} does not open the backup {chosen.path} (taken before "
                             "a key rotation?): choose another from `yihui vault list`; the vault was not touched"
                             ) from None
        in_backup = ledger_state.read(con, "candidate")
        con.execute("DETACH candidate")
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    staged.chmod(0o600)
    fsync(staged)
    aside = None
    if vault.exists():
        aside = _free(vault.with_name(f"{vault.name}.damaged-{_stamp()}"))
        os.link(vault, aside)  # the vault path never goes missing: linked aside, then replaced
    wal = vault.with_name(vault.name + ".wal")
    if wal.exists():  # the old vault's WAL must never be replayed onto the restored one
        os.replace(wal, aside.with_name(aside.name + ".wal") if aside
                   else _free(vault.with_name(f"{vault.name}.orphan-{_stamp()}.wal")))
    os.replace(staged, vault)
    fsync(data_dir)
    known = ledger_state.recorded(ledger_state.load(data_dir))
    behind = None if in_backup.covers(known) else (in_backup.entries, known.entries)
    return Restored(chosen, aside, behind)


def reset_ledger(data_dir: Path) -> tuple[ledger_state.LedgerState, ledger_state.LedgerState]:
    """Accept the vault's erasure ledger as it stands (read from a vault that reads whole)."""
    vault = vault_path(data_dir)
    current = ledger_state.LedgerState()
    if vault.exists():
        key = load_key(data_dir)
        con = new_connection(data_dir)
        try:
            verify(con, vault, key)
            current = ledger_state.read(con)
        finally:
            con.close()
    return ledger_state.reset(data_dir, current)


def check(data_dir: Path) -> tuple[int, ledger_state.LedgerState]:
    """Read the vault whole and compare its ledger with ``ledger.state``, writing nothing to the vault."""
    vault = vault_path(data_dir)
    if not vault.exists():
        ledger_state.check(data_dir, vault, ledger_state.LedgerState())
        raise VaultError(f"no vault at {vault}: run `yihui run` first")
    key = load_key(data_dir)
    con = new_connection(data_dir)
    try:
        size = verify(con, vault, key)
        current = ledger_state.read(con)
    finally:
        con.close()
    ledger_state.check(data_dir, vault, current)
    return size, current
