"""`yihui vault …`: check, back up and restore the encrypted vault; its erasure ledger."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from core.errors import YihuiError
from pipelines.cli.app import DataDir, console, out, settings, vault_app, writes


@vault_app.command("check")
@writes
def vault_check(data_dir: DataDir = None) -> None:
    """Read the vault whole (every block's AES-GCM tag) and compare its erasure ledger with ledger.state.

    Writing commands run the same check before they write; this one writes nothing to the vault.
    """
    from vault import backup

    size, ledger = backup.check(settings(data_dir).data_dir)
    out.print(f"the vault reads whole ({size:,} bytes); its erasure ledger holds {ledger.entries:,} entries, "
              "none missing")


def _backup_table(found) -> None:
    t = Table(title="vault backups (encrypted with the master key, like the vault)")
    for col in ("backup", "kind", "taken (UTC)", "bytes"):
        t.add_column(col, justify="right" if col == "bytes" else "left", no_wrap=True)
    for b in found:
        t.add_row(b.path.name, b.kind, f"{b.taken_at:%Y-%m-%d %H:%M:%S}", f"{b.size:,}")
    out.print(t)


@vault_app.command("backup")
@writes
def vault_backup(data_dir: DataDir = None,
                 list_: Annotated[bool, typer.Option("--list", help="List the backups instead.")] = False) -> None:
    """Copy the vault, read whole, into <data-dir>/backups/vault-<time>.duckdb under the same key.

    The key is not stored with it: keep the master key's own backup apart from these.
    """
    from vault import backup

    s = settings(data_dir)
    if list_:
        _backup_table(backup.list_backups(s.data_dir))
        return
    b = backup.backup(s.data_dir)
    out.print(f"backed up the vault to {b.path} ({b.size:,} bytes); it opens only with the master key")


@vault_app.command("list")
def vault_list(data_dir: DataDir = None) -> None:
    """The backups and the last good copy a writing command kept, oldest first."""
    from vault import backup

    _backup_table(backup.list_backups(settings(data_dir).data_dir))


@vault_app.command("restore")
@writes
def vault_restore(name: Annotated[str | None, typer.Argument(
                      help="A backup from `yihui vault list` (default: the newest).")] = None,
                  data_dir: DataDir = None) -> None:
    """Replace the vault by a backup once that backup opens with the current key and reads whole.

    The replaced vault is kept beside it as vault.duckdb.damaged-<time>, never deleted.
    """
    from vault import backup

    r = backup.restore(settings(data_dir).data_dir, name)
    taken = f"{r.backup.taken_at:%Y-%m-%d %H:%M:%S}"
    out.print(f"restored the vault from {r.backup.path.name} ({r.backup.kind}, taken {taken} UTC)"
              + (f"; the replaced vault is kept as {r.set_aside}" if r.set_aside else ""))
    if r.ledger_behind:
        console.print(f"[yellow]warning:[/] this backup's erasure ledger holds {r.ledger_behind[0]:,} of the "
                      f"{r.ledger_behind[1]:,} entries ledger.state records: runs refuse until a newer backup is "
                      "restored or `yihui vault reset-ledger --yes` accepts the loss")


@vault_app.command("reset-ledger")
@writes
def vault_reset_ledger(data_dir: DataDir = None, yes: Annotated[bool, typer.Option(
        "--yes", help="Accept that erasures missing from the vault's ledger are no longer enforced.")] = False) -> None:
    """Accept the vault's erasure ledger as it stands, after a loss no backup can undo; the decision is recorded.

    People erased before the loss come back from any source that still holds them:
    erase them again (`yihui subject erase`) if you know who they were.
    """
    from vault import backup

    if not yes:
        raise YihuiError("resetting the erasure ledger lets people erased before come back from the source: "
                         "restore a backup (`yihui vault restore`) instead, or pass --yes")
    before, after = backup.reset_ledger(settings(data_dir).data_dir)
    out.print(f"erasure ledger reset: ledger.state recorded {before.entries:,} entries, the vault holds "
              f"{after.entries:,}; the reset is recorded in ledger.state")
