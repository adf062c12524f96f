"""Key rotation: a new master key, a re-encrypted vault, every token re-issued.

Why a new random secret and not just a new version label: rotation is what an
operator does when a key (or an export joined with one) may have leaked.  With
a fresh secret no one, not even the holder of the old key, can link a token
of the old version to the new one; old exports become unlinkable.

The vault is re-encrypted into a new file and the token maps are re-hashed
there, so the switch is two renames with a fixed order.  A crash anywhere is
repaired by ``recover`` on the next command:

1. ``keys/master.key.next`` is written (the new key);
2. ``vault.duckdb.next`` is written (encrypted with the new key, maps re-hashed);
3. ``vault.duckdb.next`` → ``vault.duckdb``   (the commit point);
4. ``keys/master.key.next`` → ``keys/master.key``.

Before 3 the old key and vault are intact and the ``.next`` files are dropped;
after 3 only the key rename is left to do.  Then the warehouse is rebuilt from
the vault, so analysts only ever see one key version at a time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from anonymizer import tokens
from anonymizer.domains import DOMAINS
from anonymizer.errors import KeyInvalid
from anonymizer.keys import ENV_VAR, MasterKey, key_path, load_key, new_key, write_key_file
from core.errors import YihuiError
from core.settings import Settings
from vault.session import next_paths, open_vault, recover
from vault.store import fsync, vault_path


class RotationError(YihuiError):
    """The key cannot be rotated here."""


@dataclass
class Rotation:
    old_version: int
    new_version: int
    key_id: str
    tokens_reissued: dict[str, int]


def record_key_version(con, key: MasterKey, db: str = "vault") -> None:
    """``ops.key_versions``: when each key version (by public fingerprint) came into use."""
    con.execute(
        f"INSERT INTO {db}.ops.key_versions SELECT ?, ?, now()::TIMESTAMP "
        f"WHERE NOT EXISTS (SELECT 1 FROM {db}.ops.key_versions WHERE version = ?)",
        [key.version, key.key_id, key.version],
    )


def key_history(con) -> list[tuple]:
    """(version, key id, in use from) of every key version the vault was written with."""
    return con.execute("SELECT version, key_id, activated_at FROM vault.ops.key_versions ORDER BY 1").fetchall()


def rotate(settings: Settings) -> Rotation:
    """Re-encrypt the vault and re-issue every token under a new key (the warehouse is rebuilt after)."""
    data_dir = settings.data_dir
    if os.environ.get(ENV_VAR):
        raise RotationError(
            f"the master key comes from ${ENV_VAR}: rotation writes the new key to {key_path(data_dir)}, "
            f"which ${ENV_VAR} would override; unset it and rotate where the key file lives"
        )
    recover(data_dir)
    old = load_key(data_dir)
    if not vault_path(data_dir).exists():
        raise RotationError(f"no vault at {vault_path(data_dir)}: nothing to rotate (run `yihui run` first)")
    key_next, vault_next = next_paths(data_dir)
    new = new_key(old.version + 1, str(key_path(data_dir)))
    con = open_vault(data_dir, old, threads=settings.threads, memory_limit=settings.memory_limit)
    try:
        record_key_version(con, old)
        con.execute("CHECKPOINT vault")
        write_key_file(key_next, new)
        con.execute(f"ATTACH '{vault_next}' AS vnext (ENCRYPTION_KEY '{new.vault_key}')")
        con.execute("COPY FROM DATABASE vault TO vnext")
        tokens.install_macros(con, new)
        reissued = {}
        for d in DOMAINS:
            con.execute(f"UPDATE vnext.tokens.{d.name} SET token = tok_{d.name}(value), key_version = {new.version}")
            reissued[d.name] = con.execute(f"SELECT count(*) FROM vnext.tokens.{d.name}").fetchone()[0]
        record_key_version(con, new, db="vnext")
        con.execute("CHECKPOINT vnext")
        con.execute("DETACH vnext")
    finally:
        con.close()
    os.replace(vault_next, vault_path(data_dir))  # the commit point
    fsync(data_dir)
    os.replace(key_next, key_path(data_dir))
    fsync(key_next.parent)
    check = load_key(data_dir)
    if check.key_id != new.key_id:
        raise KeyInvalid("the rotated key file does not hold the new key: restore from backup")
    return Rotation(old.version, new.version, new.key_id, reissued)
