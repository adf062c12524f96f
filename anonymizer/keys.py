"""The master key and everything derived from it.

One secret (32 random bytes) lives outside the repo and the warehouse: in
``YIHUI_MASTER_KEY`` or in ``<data>/keys/master.key`` (mode 0600).  Every other
key is derived from it with HKDF-SHA256 (RFC 5869) under a distinct label, so:

* each identifier domain gets its own token key: a person token can never be
  joined to a mobile token by accident, even for equal input strings;
* the vault's encryption key is not the token key: leaking one does not leak
  the other;
* rotating changes every token at once (``yihui keys rotate`` writes a new
  random secret with the next version number: ``v2:<hex>``), so tokens of
  the old version cannot be linked to the new ones by anyone.

``key_id`` is a public fingerprint (a one-way derivation) recorded in run logs
so a run can tell "wrong key" from "new vault" without storing the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from anonymizer.errors import KeyInvalid, KeyMissing
from core.layout import Layout

ENV_VAR = "YIHUI_MASTER_KEY"
KEY_BYTES = 32


def hkdf_sha256(ikm: bytes, info: bytes, length: int = 32, salt: bytes = b"") -> bytes:
    """RFC 5869 extract-and-expand."""
    prk = hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


@dataclass(frozen=True)
class MasterKey:
    secret: bytes
    origin: str  # where it came from, for messages: never the value
    version: int = 1

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return f"MasterKey(origin={self.origin!r}, version={self.version}, key_id={self.key_id!r})"

    __str__ = __repr__

    def derive(self, label: str, length: int = 32) -> bytes:
        return hkdf_sha256(self.secret, f"yihui/{label}/v{self.version}".encode(), length)

    def token_key(self, domain: str) -> bytes:
        return self.derive(f"token/{domain}")

    @property
    def vault_key(self) -> str:
        """The DuckDB ``ENCRYPTION_KEY`` of the vault (hex text)."""
        return self.derive("vault").hex()

    @property
    def key_id(self) -> str:
        return self.derive("key-id", 8).hex()


def parse_key(text: str, origin: str) -> MasterKey:
    """``<64 hex>`` (version 1) or ``v<N>:<64 hex>`` (written by ``yihui keys rotate``)."""
    value, version = text.strip(), 1
    head, sep, rest = value.partition(":")
    if sep:
        if not (head[:1] == "v" and head[1:].isdigit() and int(head[1:]) >= 1):
            raise KeyInvalid(f"master key from {origin} has a malformed version prefix: expected v<N>:<hex>")
        value, version = rest, int(head[1:])
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise KeyInvalid(f"master key from {origin} is not hex: expected {KEY_BYTES * 2} hex digits") from None
    if len(raw) != KEY_BYTES:
        raise KeyInvalid(f"master key from {origin} has {len(raw)} bytes: expected {KEY_BYTES}")
    return MasterKey(raw, origin, version)


def format_key(key: MasterKey) -> str:
    return key.secret.hex() if key.version == 1 else f"v{key.version}:{key.secret.hex()}"


def new_key(version: int, origin: str) -> MasterKey:
    return MasterKey(secrets.token_bytes(KEY_BYTES), origin, version)


def write_key_file(path: Path, key: MasterKey) -> None:
    """Create ``path`` (mode 0600) with ``key``; it must not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(format_key(key) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def key_path(data_dir: Path) -> Path:
    return Layout(data_dir).master_key


def load_key(data_dir: Path) -> MasterKey:
    """The environment wins over the file, so CI and operators can inject a key."""
    env = os.environ.get(ENV_VAR)
    if env:
        return parse_key(env, f"${ENV_VAR}")
    path = key_path(data_dir)
    if not path.exists():
        raise KeyMissing(
            f"no master key: set {ENV_VAR} or create {path} with `yihui keys init`"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyInvalid(f"{path} is readable by others (mode {mode:o}): run `chmod 600 {path}`")
    return parse_key(path.read_text(), str(path))


def init_key(data_dir: Path) -> tuple[Path, bool]:
    """Create a new random master key file unless one exists. Returns (path, created)."""
    path = key_path(data_dir)
    if path.exists():
        return path, False
    write_key_file(path, new_key(1, str(path)))
    return path, True
