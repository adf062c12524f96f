"""`yihui keys …`: the master key."""

from __future__ import annotations

from pipelines.cli.app import AsOf, DataDir, keys_app, out, progress, session, settings, writes
from pipelines.cli.stages import _print_summary


@keys_app.command("init")
def keys_init(data_dir: DataDir = None) -> None:
    """Create a random master key at <data-dir>/keys/master.key (mode 0600) unless one exists."""
    from anonymizer.keys import init_key

    path, created = init_key(settings(data_dir, creates=True).data_dir)
    out.print(f"{'created' if created else 'kept existing'} master key {path}")
    if created:
        out.print("Back it up outside this machine: without it the vault cannot be opened and tokens cannot be reproduced.")


@keys_app.command("rotate")
@writes
def keys_rotate(data_dir: DataDir = None, as_of: AsOf = None) -> None:
    """Replace the master key: re-encrypt the vault, re-issue every token, rebuild the warehouse.

    Tokens of the old version become unlinkable to the new ones, so exports made
    before the rotation can no longer be joined to the warehouse.
    """
    from pipelines.run import rebuild
    from vault.rotate import rotate

    s = settings(data_dir, as_of=as_of)
    r = rotate(s)
    out.print(f"rotated the master key: version {r.old_version} → {r.new_version} (key id {r.key_id}); "
              f"{sum(r.tokens_reissued.values()):,} tokens re-issued")
    summary = rebuild(s, log=progress, status="rotated")
    _print_summary(summary, s)
    from audiences.segments import status

    stale = [seg.audience.name for seg in status(s.data_dir) if seg.as_of is not None]  # all of the old key
    if stale:
        out.print(f"segments keyed to the old tokens, to refresh (`yihui segment refresh`): {', '.join(stale)}")
    out.print("Back up the new key file now: the old key no longer opens the vault.")


@keys_app.command("status")
@writes
def keys_status(data_dir: DataDir = None) -> None:
    """Which key is in use (origin, version, public fingerprint) and the vault's key history."""
    from vault.rotate import key_history

    s = settings(data_dir)
    with session(s) as (key, con):
        out.print(f"master key from {key.origin}: version {key.version}, key id {key.key_id}")
        rows = key_history(con)
    for version, key_id, at in rows:
        out.print(f"  v{version}  {key_id}  in use from {at:%Y-%m-%d %H:%M}")
