"""Activation: the only path from a segment back to people, inside the vault.

Between a segment's refresh and its send, people unsubscribe, close accounts
or turn 18 the other way round (never): so activation takes the members of
the segment's export (the newest one, or the one named), maps their export
tokens back to accounts with the vault's record of that export
(``ops.release_tokens``; the tokens mean nothing elsewhere), pulls the newest
source rows into the vault, then re-checks every treatment member *as of
now* with the consent rules of ``int_marketing_consent`` /
``fct_contactable_adults``, rendered from the same Jinja macros
(``macros/consent_rules.sql``) over the vault's raw rows (a test holds the two
to the same answer at the same date).  Holdout members and anyone at the frequency cap
(promotion messages only, service messages do not count) are dropped.  The
remaining tokens are resolved to the channel handle (OpenID for WeChat,
mobile for SMS) in the vault, the delivery file goes to the restricted
folder (0700/0600), and the re-identification is logged: who, when, which
audience, which export, how many.  Each activation is a release of its own:
the delivery file names recipients by activation tokens (``act_…``, keyed by
the activation id, kept in the vault), never by warehouse or export tokens.
Activating the same segment for the same as-of again rewrites the file (with
a new activation id and tokens) and replaces its deliveries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from anonymizer import tokens
from anonymizer.domains import ACTIVATION
from anonymizer.keys import MasterKey
from audiences.errors import AudienceError
from audiences.export import _user, new_release_id
from audiences.segments import Segment
from core import csv_cells
from core.layout import PROJECT, Layout
from core.schema import SELF

HANDLE = {"wechat": "openid", "sms": "mobile"}


@dataclass
class Activation:
    audience: str
    as_of: str
    members: int
    dropped_holdout: int
    dropped_consent: dict[str, int]
    dropped_cap: int
    delivered: int
    path: Path
    export_id: str
    activation_id: str


def restricted_dir(data_dir: Path) -> Path:
    path = Layout(data_dir).deliveries_dir
    path.mkdir(parents=True, exist_ok=True)
    for p in (path.parent, path):
        os.chmod(p, 0o700)
    return path


def _consent_rules():
    """The consent rules as dbt renders them (macros/consent_rules.sql), for plain Jinja to render here."""
    import jinja2

    return jinja2.Environment(autoescape=False).from_string(
        PROJECT.consent_rules.read_text(encoding="utf-8")).module


_RULES = _consent_rules()
_CONSENT_REASON = _RULES.consent_reason(status="mk.status", given_as_minor="mk.as_minor", guardian_in_force="g.in_force",
                                        has_other_purpose_grant="o.account_id IS NOT NULL")

# Why a member may not be contacted now; NULL when they may: the rules of fct_contactable_adults
# (the one definition: macros/consent_rules.sql) over the vault's raw rows, after 'erased'.
CHECK_SQL = f"""
WITH members AS (
    SELECT m.member_key, m.split_group, m.account_value, a.account_id, a.status, a.is_staff_or_test, a.openid,
           a.mobile
    FROM seg_members AS m
    LEFT JOIN vault.raw.accounts AS a ON a.openid = m.account_value
),
holder AS (
    SELECT account_id, person_id,
           birth_date(id_type, id_number, birthday) AS birth_date
    FROM vault.raw.insured_persons WHERE relationship = '{SELF}'
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY person_id) = 1
),
deletion AS (
    SELECT account_id, min(CASE
        WHEN kind = 'delete' AND status = 'done' AND responded_at <= $now THEN 'deleted'
        WHEN status = 'open' OR (status = 'done' AND coalesce(responded_at > $now, true)) THEN 'deletion_pending'
    END) AS reason
    FROM vault.raw.subject_requests WHERE kind IN ('delete', 'cancel_account') AND received_at <= $now
    GROUP BY account_id
),
events AS (SELECT * FROM vault.raw.consent_events WHERE occurred_at <= $now),
channel_events AS (SELECT DISTINCT account_id FROM events WHERE scope = 'marketing' AND channel = $channel),
marketing AS (
    SELECT e.account_id, e.status, e.occurred_at, age_at(h.birth_date, e.occurred_at::DATE) < 18 AS as_minor
    FROM events AS e LEFT JOIN holder AS h USING (account_id)
    WHERE e.scope = 'marketing' AND e.channel = $channel
      AND (e.purpose = 'promotion' OR (e.purpose IS NULL AND e.status = 'revoked'))
    QUALIFY row_number() OVER (PARTITION BY e.account_id ORDER BY e.occurred_at DESC, e.status = 'revoked' DESC) = 1
),
guardian AS (
    SELECT mk.account_id, g.status = 'granted' AS in_force
    FROM marketing AS mk JOIN holder AS h USING (account_id)
    JOIN events AS g ON g.person_id = h.person_id AND g.scope = 'guardian' AND g.occurred_at <= mk.occurred_at
    WHERE mk.as_minor
    QUALIFY row_number() OVER (PARTITION BY mk.account_id ORDER BY g.occurred_at DESC, g.status = 'revoked' DESC) = 1
),
other_purpose AS (
    SELECT DISTINCT account_id FROM events WHERE scope = 'marketing' AND channel = $channel AND purpose <> 'promotion'
    QUALIFY row_number() OVER (PARTITION BY account_id, purpose ORDER BY occurred_at DESC, status = 'revoked' DESC) = 1
        AND status = 'granted'
),
personalised AS (
    SELECT account_id, status FROM events WHERE scope = 'personalised_marketing'
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY occurred_at DESC, status = 'revoked' DESC) = 1
),
complaints AS (
    SELECT DISTINCT account_id FROM vault.raw.service_records WHERE kind = 'complaint' AND status = 'open'
)
SELECT m.member_key, m.split_group, m.account_value, m.account_id, m.openid, m.mobile,
    CASE WHEN m.account_id IS NULL THEN 'erased' ELSE {_RULES.suppression_reason(
        deletion_status="d.reason", account_status="m.status", is_staff_or_test="m.is_staff_or_test",
        has_holder="h.account_id IS NOT NULL", is_minor="age_at(h.birth_date, $now::DATE) < 18",
        has_consent_events="ce.account_id IS NOT NULL", consent_reason=_CONSENT_REASON,
        opted_out_personalised="p.status = 'revoked'", has_open_complaint="c.account_id IS NOT NULL")} END AS reason
FROM members AS m
LEFT JOIN deletion AS d USING (account_id)
LEFT JOIN holder AS h USING (account_id)
LEFT JOIN channel_events AS ce USING (account_id)
LEFT JOIN marketing AS mk USING (account_id)
LEFT JOIN guardian AS g USING (account_id)
LEFT JOIN other_purpose AS o USING (account_id)
LEFT JOIN personalised AS p USING (account_id)
LEFT JOIN complaints AS c USING (account_id)
"""


def recheck(con: duckdb.DuckDBPyConnection, channel: str, now: datetime) -> None:
    """``checked``: every row of ``seg_members`` (member_key, split_group, account_value: the account's
    OpenID, as the vault maps a release token back) with the reason it may not be contacted at ``now``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {CHECK_SQL}", {"now": now, "channel": channel})


def export_of(con: duckdb.DuckDBPyConnection, segment: Segment, export_id: str | None = None) -> str:
    """The export to activate: the one named, else the newest export of the segment's wave."""
    a = segment.audience
    row = con.execute(
        "SELECT release_id FROM vault.ops.releases WHERE kind = 'export' AND audience = ? AND "
        "(release_id = ? OR (? IS NULL AND as_of_date = ?)) ORDER BY created_at DESC, release_id DESC LIMIT 1",
        [a.name, export_id, export_id, segment.as_of]).fetchone()
    if row is None:
        raise AudienceError(f"no export {export_id} of {a.name}" if export_id else
                            f"{a.name} as of {segment.as_of} was never exported: run `yihui segment export {a.name}`")
    return row[0]


def activate(con: duckdb.DuckDBPyConnection, key: MasterKey, data_dir: Path, segment: Segment, now: datetime,
             export_id: str | None = None) -> Activation:
    """``con`` has the (freshly extracted) vault attached, opened with ``key``, and the shared macros installed."""
    a = segment.audience
    if segment.as_of is None:
        raise AudienceError(f"{a.name} has never been refreshed: run `yihui segment refresh`")
    if not segment.exportable:
        raise AudienceError(f"{a.name} is below its minimum size ({segment.members} < {a.minimum_size}): not activated")
    export_id = export_of(con, segment, export_id)
    con.execute("CREATE OR REPLACE TEMP TABLE seg_members AS SELECT token AS member_key, split_group, "
                "value AS account_value FROM vault.ops.release_tokens WHERE release_id = ?", [export_id])
    recheck(con, a.channel, now)
    since = now.timestamp() - a.frequency_cap.days * 86400
    con.execute(
        """CREATE OR REPLACE TEMP TABLE sent AS
        SELECT account_id, count(*) AS n FROM (
            SELECT account_id FROM vault.raw.promotion_messages
            WHERE kind = 'promotion' AND sent_at >= to_timestamp($since)::TIMESTAMP AND sent_at <= $now
            UNION ALL
            SELECT account_id FROM vault.ops.deliveries
            WHERE delivered_at >= to_timestamp($since)::TIMESTAMP AND delivered_at <= $now
              AND NOT (audience = $audience AND as_of_date = $as_of))
        GROUP BY account_id""",
        {"since": since, "now": now, "audience": a.name, "as_of": segment.as_of})
    members = con.execute("SELECT count(*) FROM checked").fetchone()[0]
    holdout = con.execute("SELECT count(*) FROM checked WHERE split_group = 'holdout'").fetchone()[0]
    consent = dict(con.execute("SELECT reason, count(*) FROM checked WHERE split_group = 'treatment' "
                               "AND reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC").fetchall())
    handle = HANDLE[a.channel]
    activation_id = new_release_id()
    tokens.install_release_macro(con, key, ACTIVATION, activation_id)
    rows = con.execute(
        f"""SELECT c.account_id, c.{handle}, coalesce(s.n, 0) >= {a.frequency_cap.messages} AS capped,
                   tok_release(c.account_value) AS recipient, c.account_value
            FROM checked AS c LEFT JOIN sent AS s USING (account_id)
            WHERE c.split_group = 'treatment' AND c.reason IS NULL ORDER BY c.{handle}""").fetchall()
    deliver = [(acc, h, tok, value) for acc, h, capped, tok, value in rows if not capped and h]
    capped = sum(1 for r in rows if r[2])
    if not deliver:  # nothing to send: say why, and leave any earlier delivery file as it is
        raise AudienceError(
            f"{a.name} as of {segment.as_of} (export {export_id}): no one to deliver to now ({members:,} members, "
            f"{holdout:,} holdout, {sum(consent.values()):,} no longer contactable, {capped:,} at the frequency cap); "
            "nothing written")
    path = restricted_dir(data_dir) / f"{a.name}-{segment.as_of.isoformat()}.csv"
    partial = path.with_name(path.name + ".partial")  # the earlier delivery stays whole until this one is
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="") as fh:
        w = csv_cells.writer(fh)  # opened in spreadsheets: no cell may run as a formula
        w.writerow(["channel", handle, "recipient", "audience", "definition_version", "as_of_date", "activation_id"])
        w.writerows([a.channel, h, tok, a.name, a.version, segment.as_of.isoformat(), activation_id]
                    for _, h, tok, _ in deliver)
    os.chmod(partial, 0o600)
    logged_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM vault.ops.deliveries WHERE audience = ? AND as_of_date = ?", [a.name, segment.as_of])
        con.executemany("INSERT INTO vault.ops.deliveries VALUES (?, ?, ?, ?, ?)",
                        [[a.name, segment.as_of, acc, a.channel, now] for acc, _, _, _ in deliver])
        con.executemany("INSERT INTO vault.ops.release_tokens VALUES (?, ?, ?, 'treatment')",
                        [[activation_id, tok, value] for _, _, tok, value in deliver])
        con.execute("INSERT INTO vault.ops.releases VALUES (?, 'activation', ?, ?, ?, ?, ?, ?, ?, ?)",
                    [activation_id, a.name, segment.as_of, a.version, str(path.relative_to(data_dir)), len(deliver),
                     key.version, logged_at, _user()])
        con.execute("INSERT INTO vault.ops.reidentifications (logged_at, by_user, audience, as_of_date, members, "
                    "dropped_holdout, dropped_consent, dropped_cap, delivered, file, export_id, activation_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [logged_at, _user(), a.name, segment.as_of, members, holdout, sum(consent.values()), capped,
                     len(deliver), str(path.relative_to(data_dir)), export_id, activation_id])
        os.replace(partial, path)  # just before the commit: the file and the vault's log agree
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        partial.unlink(missing_ok=True)
        raise
    return Activation(a.name, segment.as_of.isoformat(), members, holdout, consent, capped, len(deliver), path,
                      export_id, activation_id)
