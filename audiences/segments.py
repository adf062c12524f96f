"""Segments: every audience evaluated together, as one wave, over the published warehouse.

Why waves: a person must land in at most one audience per wave (the highest
priority wins), so audiences cannot be computed one by one.  A wave is keyed
by the warehouse's as-of date: refreshing again for the same date replaces
that wave, so refreshes (and the exports built on them) are idempotent.

Why a separate store (``<data>/marketing/segments.duckdb``): the analysts'
warehouse is replaced by every publish, but membership history must survive
to measure lift (who entered, who left, who was held out).  The store holds
pseudonymous tokens only; the way back to a person is ``activate`` alone.

Holdouts are a keyed hash (HMAC) of the account's raw identity (its OpenID)
and the audience name, under a random holdout secret kept in the vault: the
same person stays in the same group across refreshes, exports *and* key
rotations (the secret is neither a token nor derived from the master key, and
the rotated vault copies it), no table of holdout assignments has to be kept
in step, and nothing rotation-invariant leaves the vault but the split group.
So a refresh opens the vault (it needs the master key) to draw the groups.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from anonymizer.tokens import hmac_pads
from audiences.definitions import Audience, load_all
from audiences.errors import AudienceError
from core.layout import PROJECT, Layout

REASONS_SEED = PROJECT.seed("suppression_reasons")


def suppression_reasons() -> dict[str, str]:
    """Reason -> description, in precedence order: the seed dbt's consent base and coverage read too."""
    import csv

    with REASONS_SEED.open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["precedence"]))
    return {r["suppression_reason"]: r["description"] for r in rows}


@dataclass
class Segment:
    audience: Audience
    as_of: date | None
    refreshed_at: datetime | None
    eligible: int  # matched the filters and is contactable on the channel
    members: int  # after the one-audience-per-wave rule
    holdout: int
    excluded: dict[str, int]  # matched the filters but not contactable, by suppression reason
    won_elsewhere: int  # contactable and matched, but a higher-priority audience took them
    stale_reason: str | None = None  # why the wave must be refreshed whatever its cadence says


    @property
    def treatment(self) -> int:
        return self.members - self.holdout

    @property
    def exportable(self) -> bool:
        return self.members >= self.audience.minimum_size


def store_path(data_dir: Path) -> Path:
    return Layout(data_dir).segment_store


def connect_store(data_dir: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = store_path(data_dir)
    if read_only and not path.exists():
        raise AudienceError("no segments yet: run `yihui segment refresh`")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        con.execute("""
            CREATE TABLE IF NOT EXISTS waves (as_of_date DATE PRIMARY KEY, warehouse_run_id VARCHAR,
                refreshed_at TIMESTAMP);
            CREATE TABLE IF NOT EXISTS segment_sizes (as_of_date DATE, audience VARCHAR, definition_version VARCHAR,
                eligible BIGINT, members BIGINT, holdout BIGINT, won_elsewhere BIGINT, excluded_json VARCHAR,
                PRIMARY KEY (as_of_date, audience));
            CREATE TABLE IF NOT EXISTS membership (as_of_date DATE, audience VARCHAR, definition_version VARCHAR,
                member_key VARCHAR, channel VARCHAR, split_group VARCHAR);
            CREATE OR REPLACE VIEW membership_changes AS
            WITH w AS (SELECT as_of_date, lag(as_of_date) OVER (ORDER BY as_of_date) AS previous FROM waves),
            cur AS (SELECT w.as_of_date, w.previous, m.audience, m.member_key
                    FROM w JOIN membership AS m USING (as_of_date)),
            prev AS (SELECT w.as_of_date, w.previous, m.audience, m.member_key
                     FROM w JOIN membership AS m ON m.as_of_date = w.previous)
            SELECT coalesce(cur.as_of_date, prev.as_of_date) AS as_of_date,
                   coalesce(cur.previous, prev.previous) AS previous_as_of,
                   coalesce(cur.audience, prev.audience) AS audience,
                   count(*) FILTER (WHERE prev.member_key IS NULL) AS entered,
                   count(*) FILTER (WHERE cur.member_key IS NULL) AS exited,
                   count(*) FILTER (WHERE cur.member_key IS NOT NULL AND prev.member_key IS NOT NULL) AS stayed
            FROM cur FULL JOIN prev ON cur.as_of_date = prev.as_of_date AND cur.audience = prev.audience
                AND cur.member_key = prev.member_key
            GROUP BY ALL;
            CREATE TABLE IF NOT EXISTS exports (audience VARCHAR, as_of_date DATE, format VARCHAR, path VARCHAR,
                row_count BIGINT, sha256 VARCHAR, definition_version VARCHAR, git_revision VARCHAR,
                exported_by VARCHAR, first_exported_at TIMESTAMP, last_exported_at TIMESTAMP, times BIGINT,
                PRIMARY KEY (audience, as_of_date, format));
        """)
    return con


def install_holdout_macro(con: duckdb.DuckDBPyConnection, secret: bytes) -> None:
    """``holdout_draw(v)``: HMAC-SHA256 of ``v`` under the holdout secret, for this session only."""
    ipad, opad = hmac_pads(secret)
    con.execute(f"CREATE OR REPLACE TEMP MACRO holdout_draw(v) AS "
                f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(v))))")


def ensure_holdout_secret(con: duckdb.DuckDBPyConnection) -> None:
    """The holdout secret (random, created once, kept in the encrypted vault) and its macro."""
    if con.execute("SELECT count(*) FROM vault.ops.holdout_key").fetchone()[0] == 0:
        con.execute("INSERT INTO vault.ops.holdout_key VALUES (?)", [secrets.token_bytes(32)])
    install_holdout_macro(con, bytes(con.execute("SELECT secret FROM vault.ops.holdout_key").fetchone()[0]))


def holdout_sql(audience_name: str, share: float, identity: str = "account_value") -> str:
    """True for members in the holdout: the first 32 bits of HMAC(holdout secret, identity|audience)
    as a fraction; ``identity`` is the column holding the account's raw identity (vault side only)."""
    return (f"(('0x' || substr(holdout_draw({identity} || '|{audience_name}'), 1, 8))::UBIGINT / 4294967296.0 "
            f"< {share!r})")


def _candidates_sql(audiences: list[Audience]) -> str:
    parts = []
    for a in audiences:
        parts.append(f"""
            SELECT '{a.name}' AS audience, {a.priority} AS priority, '{a.version}' AS definition_version,
                   b.account_key AS member_key, b.channel, b.is_contactable, b.suppression_reason
            FROM wh.audience.fct_contactable_adults AS b
            JOIN wh.audience.fct_audience_features AS f USING (account_key)
            WHERE b.channel = '{a.channel}' AND ({a.where()})""")
    return " UNION ALL ".join(parts)


def refresh(con: duckdb.DuckDBPyConnection, data_dir: Path, warehouse: Path,
            audiences: list[Audience] | None = None) -> list[Segment]:
    """Evaluate every audience over ``warehouse`` and store the wave (replacing one of the same date).

    ``con`` is a writable vault session (``vault.session``): holdouts are drawn in the vault."""
    audiences = audiences if audiences is not None else load_all()
    if not warehouse.exists():
        raise AudienceError(f"no warehouse at {warehouse}: run `yihui run` first")
    connect_store(data_dir).close()  # the store's tables exist
    ensure_holdout_secret(con)
    con.execute(f"ATTACH '{store_path(data_dir)}' AS seg")
    try:
        con.execute("USE seg")  # unqualified tables below are the store's
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        as_of, run_id = con.execute("SELECT as_of_date, run_id FROM wh.meta.build_info").fetchone()
        # the raw identity of each account, from the vault's token map: a token the vault no longer
        # knows (a person erased since the warehouse was built) is in no segment
        con.execute(f"""CREATE OR REPLACE TEMP TABLE candidates AS
            SELECT c.*, t.value AS account_value FROM ({_candidates_sql(audiences)}) AS c
            JOIN vault.tokens.account AS t ON t.token = c.member_key""")
        con.execute("""
            CREATE OR REPLACE TEMP TABLE winners AS
            SELECT * FROM candidates WHERE is_contactable
            QUALIFY row_number() OVER (PARTITION BY member_key ORDER BY priority DESC) = 1""")
        holdout_case = " ".join(f"WHEN '{a.name}' THEN {holdout_sql(a.name, a.holdout_share)}" for a in audiences)
        con.execute("BEGIN")
        con.execute("DELETE FROM membership WHERE as_of_date = ?", [as_of])
        con.execute("DELETE FROM segment_sizes WHERE as_of_date = ?", [as_of])
        con.execute(
            f"""INSERT INTO membership
            SELECT ?, audience, definition_version, member_key, channel,
                   CASE WHEN (CASE audience {holdout_case} END) THEN 'holdout' ELSE 'treatment' END
            FROM winners ORDER BY audience, member_key""", [as_of])
        for a in audiences:
            eligible, won_elsewhere = con.execute(
                "SELECT count(*) FILTER (WHERE is_contactable), count(*) FILTER (WHERE is_contactable AND "
                "member_key NOT IN (SELECT member_key FROM winners WHERE audience = ?)) FROM candidates "
                "WHERE audience = ?", [a.name, a.name]).fetchone()
            members, holdout = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE split_group = 'holdout') FROM membership "
                "WHERE as_of_date = ? AND audience = ?", [as_of, a.name]).fetchone()
            excluded = dict(con.execute(
                "SELECT suppression_reason, count(*) FROM candidates WHERE audience = ? AND NOT is_contactable "
                "GROUP BY 1 ORDER BY 2 DESC", [a.name]).fetchall())
            con.execute("INSERT INTO segment_sizes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [as_of, a.name, a.version, eligible, members, holdout, won_elsewhere, json.dumps(excluded)])
        con.execute("INSERT OR REPLACE INTO waves VALUES (?, ?, ?)", [as_of, run_id, datetime.now(UTC).replace(tzinfo=None)])
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the caller's session stays usable
            con.execute("ROLLBACK")
        raise
    finally:
        con.execute("USE memory")
        con.execute("DETACH DATABASE IF EXISTS wh")
        con.execute("DETACH seg")
    return status(data_dir, audiences)


def rekeyed_since(data_dir: Path, wave_run_id: str | None) -> str | None:
    """Why a wave built on ``wave_run_id`` is stale after a key rotation, or None.

    A wave's member keys are the warehouse's tokens of its key version; once the build database
    is rebuilt under a newer key, they match no one there, so the wave must be refreshed."""
    internal = Layout(data_dir).internal_path
    if wave_run_id is None or not internal.exists():
        return None
    con = duckdb.connect(str(internal), read_only=True)
    try:
        row = con.execute(
            "SELECT w.key_version, c.key_version FROM meta.runs AS w, meta.runs AS c, meta.build_info AS b "
            "WHERE w.run_id = ? AND c.run_id = b.run_id", [wave_run_id]).fetchone()
    except duckdb.CatalogException:  # a build from before key versions were logged: nothing to compare
        return None
    finally:
        con.close()
    if row and row[0] is not None and row[1] is not None and row[0] < row[1]:
        return f"key rotated since (v{row[0]} → v{row[1]}): run `yihui segment refresh`"
    return None


def status(data_dir: Path, audiences: list[Audience] | None = None) -> list[Segment]:
    """Each audience's latest wave (sizes zero and dates empty when never refreshed)."""
    audiences = audiences if audiences is not None else load_all()
    if not store_path(data_dir).exists():
        return [Segment(a, None, None, 0, 0, 0, {}, 0) for a in audiences]
    con = connect_store(data_dir, read_only=True)
    try:
        out = []
        for a in audiences:
            row = con.execute(
                "SELECT s.as_of_date, w.refreshed_at, eligible, members, holdout, excluded_json, won_elsewhere, "
                "w.warehouse_run_id "
                "FROM segment_sizes s JOIN waves w USING (as_of_date) WHERE audience = ? "
                "ORDER BY as_of_date DESC LIMIT 1", [a.name]).fetchone()
            if row is None:
                out.append(Segment(a, None, None, 0, 0, 0, {}, 0))
            else:
                out.append(Segment(a, row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6],
                                   rekeyed_since(data_dir, row[7])))
        return out
    finally:
        con.close()


def changes(data_dir: Path, audience: str) -> tuple | None:
    """(previous as-of, entered, exited, stayed) of the audience's latest wave."""
    if not store_path(data_dir).exists():
        return None
    con = connect_store(data_dir, read_only=True)
    try:
        return con.execute("SELECT previous_as_of, entered, exited, stayed FROM membership_changes "
                           "WHERE audience = ? ORDER BY as_of_date DESC LIMIT 1", [audience]).fetchone()
    finally:
        con.close()
