"""``<data-dir>/ledger.state``: what the erasure ledger held, kept outside the vault.

The ledger (``vault.schema``, hashed with ``install_hash``) lives inside the encrypted vault, so
losing the vault loses the memory of every erasure: a vault rebuilt from a
source that still holds an erased person brings them back.  This file is the
evidence that survives: counts of the ledger's tables and one SHA-256 over
the people's ledger (its keyed hashes and request ids).  It holds no identifier, no keyed hash of one, and no key:
nothing in it can name or single out a person.  A writing session refuses a
vault whose ledger holds fewer entries than the file records (or as many but
different ones) until the vault is restored or the loss is accepted with
``yihui vault reset-ledger --yes``, which the file then records.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from anonymizer.tokens import hmac_pads
from core.layout import Layout
from vault.errors import VaultError

# the ledger tables whose rows stop a source from bringing back what was erased or blanked
TABLES = ("erasure_ledger", "erased_keys", "anonymised")


class LedgerMissing(VaultError):
    """The vault's erasure ledger is behind what this data dir is known to have held."""


@dataclass(frozen=True)
class LedgerState:
    erasure_ledger: int = 0  # keyed hashes of erased people's identifiers
    erased_keys: int = 0  # keyed hashes of source rows erased or past retention
    anonymised: int = 0  # keyed hashes of notes blanked by retention
    digest: str = ""  # SHA-256 over erasure_ledger's rows (keyed hashes, request ids), sorted; "" when empty

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.erasure_ledger, self.erased_keys, self.anonymised

    @property
    def entries(self) -> int:
        return sum(self.counts)

    def covers(self, recorded: LedgerState) -> bool:
        """True if this ledger holds at least what ``recorded`` held (the same entries when the counts match).

        The tables only grow (nothing deletes from them), so fewer entries means a lost or older ledger."""
        if any(mine < theirs for mine, theirs in zip(self.counts, recorded.counts, strict=True)):
            return False
        return self.counts != recorded.counts or self.digest == recorded.digest


def state_path(data_dir: Path) -> Path:
    return Layout(data_dir).ledger_state


def read(con: duckdb.DuckDBPyConnection, db: str = "vault") -> LedgerState:
    """The ledger an attached vault holds (zero if its tables were never created).

    The digest covers the people's ledger only (a few rows per erased person): retention's
    tables grow to millions of rows at city scale, and their counts suffice to see a loss.
    """
    present = {r[0] for r in con.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE database_name = '{db}' AND schema_name = 'ops'").fetchall()}
    counts = {t: con.execute(f"SELECT count(*) FROM {db}.ops.{t}").fetchone()[0] if t in present else 0
              for t in TABLES}
    digest = ""
    if counts["erasure_ledger"]:
        digest = con.execute("SELECT sha256(string_agg(subject_hash || '|' || request_id, chr(10) ORDER BY 1)) "
                             f"FROM {db}.ops.erasure_ledger").fetchone()[0]
    return LedgerState(**counts, digest=digest)


def load(data_dir: Path) -> dict | None:
    path = state_path(data_dir)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise VaultError(f"{path} is unreadable: restore it from a backup of the data dir, or accept the vault's "
                         "ledger as it stands with `yihui vault reset-ledger --yes`") from None


def recorded(doc: dict | None) -> LedgerState:
    if not doc:
        return LedgerState()
    return LedgerState(*(int(doc.get(t, 0)) for t in TABLES), digest=str(doc.get("digest", "")))


def _write(data_dir: Path, doc: dict) -> None:
    path = state_path(data_dir)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def save(data_dir: Path, state: LedgerState) -> None:
    """Record the vault's ledger: only once it has entries, and only when it changed."""
    doc = load(data_dir)
    if recorded(doc) == state or (doc is None and state.entries == 0):
        return
    resets = (doc or {}).get("resets", [])
    _write(data_dir, {"format": 1, **asdict(state), "updated_at": _now(), "resets": resets})


def save_from(con: duckdb.DuckDBPyConnection) -> None:
    """After the ledger gained entries: record it beside the vault attached as ``vault``."""
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = 'vault'").fetchone()[0]
    save(Path(path).parent, read(con))


def warehouse_withheld(data_dir: Path) -> int:
    """Rows the published release says were withheld (erased or held): evidence of a ledger from before
    ``ledger.state`` existed."""
    path = Layout(data_dir).warehouse_path
    if not path.exists():
        return 0
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return 0
    try:
        return con.execute("SELECT coalesce(max(withheld_rows), 0) FROM governance.fct_pipeline_runs").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def check(data_dir: Path, vault_file: Path, current: LedgerState) -> None:
    """Refuse a vault whose ledger is behind the evidence; bring the record up to date otherwise."""
    doc = load(data_dir)
    known = recorded(doc)
    advice = ("restore the vault with `yihui vault restore`, or accept that those erasures are no longer "
              "enforced with `yihui vault reset-ledger --yes`")
    if doc is None and current.entries == 0:
        withheld = warehouse_withheld(data_dir)
        if withheld:
            raise LedgerMissing(f"the vault {vault_file} has no erasure ledger, but the published warehouse withheld "
                                f"{withheld:,} rows of erased people: a vault rebuilt from the source would bring "
                                f"them back; {advice}")
        return
    if not current.covers(known):
        held = ("has no erasure ledger" if current.entries == 0 else
                f"holds an erasure ledger of {current.entries:,} entries")
        raise LedgerMissing(f"the vault {vault_file} {held}, but {state_path(data_dir)} records {known.entries:,} "
                            f"(last changed {doc.get('updated_at', 'earlier')}): people erased before would come back "
                            f"from the source; {advice}")
    save(data_dir, current)


def reset(data_dir: Path, current: LedgerState) -> tuple[LedgerState, LedgerState]:
    """Accept the vault's ledger as it stands; the decision (when, counts before and after) stays in the file."""
    doc = load(data_dir) or {}
    before = recorded(doc)
    resets = doc.get("resets", []) + [{"at": _now(), "entries_recorded": before.entries,
                                       "entries_in_vault": current.entries}]
    _write(data_dir, {"format": 1, **asdict(current), "updated_at": _now(), "resets": resets})
    return before, current


def install_hash(con: duckdb.DuckDBPyConnection) -> None:
    """The ledger's key (random, created once, kept in the encrypted vault) and ``ledger_hash(v)``, the
    TEMP macro every ledger entry is hashed with (HMAC-SHA256): installed by every writable session."""
    if con.execute("SELECT count(*) FROM vault.ops.ledger_key").fetchone()[0] == 0:
        con.execute("INSERT INTO vault.ops.ledger_key VALUES (?)", [secrets.token_bytes(32)])
    secret = con.execute("SELECT secret FROM vault.ops.ledger_key").fetchone()[0]
    ipad, opad = hmac_pads(bytes(secret))
    con.execute(f"CREATE OR REPLACE TEMP MACRO ledger_hash(v) AS "
                f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(v))))")
