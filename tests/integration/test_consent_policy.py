"""The consent base judged against the platform's policy, recomputed independently from the source.

The recomputation below reads the operational SQLite source of the tiny run in plain Python,
from the policy's words (§二.4(4) 退订, §七 minors and guardians, §八 deletions, PIPL Art. 24),
and shares no SQL with the dbt models or the activation re-check.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta

import duckdb
import pytest

from tests.conftest import TEST_KEY
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]

CHANNELS = ("wechat", "sms")


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _born(id_type: str, id_number: str, birthday: str | None) -> date | None:
    if id_type == "居民身份证" and len(id_number or "") == 18:
        try:
            return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        except ValueError:
            pass
    return date.fromisoformat(birthday) if birthday else None


def _latest(events: list[tuple[datetime, str]]) -> tuple[datetime, str] | None:
    """The latest (time, status); at one instant a revocation beats a grant."""
    return max(events, key=lambda e: (e[0], e[1] == "revoked"), default=None)


def policy(source: str, as_of: date) -> dict[tuple[int, str], str | None]:
    """(account_id, channel) -> None when the policy allows a promotion at ``as_of``, else why not."""
    db = sqlite3.connect(source)
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    accounts = db.execute("SELECT account_id, status, is_staff_or_test FROM accounts").fetchall()
    holder: dict[int, tuple[int, date | None]] = {}
    for pid, aid, id_type, id_number, birthday in db.execute(
            "SELECT person_id, account_id, id_type, id_number, birthday FROM insured_persons "
            "WHERE relationship = '本人' ORDER BY person_id"):
        holder.setdefault(aid, (pid, _born(id_type, id_number, birthday)))
    deleted, pending = set(), set()
    for aid, kind, status, received, responded in db.execute(
            "SELECT account_id, kind, status, received_at, responded_at FROM subject_requests "
            "WHERE kind IN ('delete', 'cancel_account')"):
        if _ts(received) >= end:
            continue
        if kind == "delete" and status == "done" and responded and _ts(responded) < end:
            deleted.add(aid)
        elif status == "open" or (status == "done" and (responded is None or _ts(responded) >= end)):
            pending.add(aid)
    promotion, other, guardian, personalised = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    asked = set()  # (account, channel) with any marketing event: the others never granted anything
    for aid, pid, scope, channel, purpose, status, at in db.execute(
            "SELECT account_id, person_id, scope, channel, purpose, status, occurred_at FROM consent_events"):
        at = _ts(at)
        if at >= end:
            continue
        if scope == "marketing" and (purpose == "promotion" or (purpose is None and status == "revoked")):
            promotion[aid, channel].append((at, status))
        elif scope == "marketing":
            other[aid, channel, purpose].append((at, status))
        if scope == "marketing":
            asked.add((aid, channel))
        elif scope == "guardian":
            guardian[pid].append((at, status))
        elif scope == "personalised_marketing":
            personalised[aid].append((at, status))
    complaints = {a for (a,) in db.execute(
        "SELECT DISTINCT account_id FROM service_records WHERE kind = 'complaint' AND status = 'open'")}
    db.close()

    verdict: dict[tuple[int, str], str | None] = {}
    for aid, status, staff in accounts:
        for channel in CHANNELS:
            pid, born = holder.get(aid, (None, None))
            latest = _latest(promotion.get((aid, channel), []))
            other_grant = any(_latest(e)[1] == "granted" for (a, c, _), e in other.items() if (a, c) == (aid, channel))
            reason = None
            if aid in deleted:
                reason = "deleted"
            elif aid in pending:
                reason = "deletion_pending"
            elif status != "active":
                reason = "account_closed"
            elif staff:
                reason = "staff_or_test_account"
            elif pid is None:
                reason = "no_policyholder_record"
            elif born is not None and _age(born, as_of) < 18:
                reason = "minor"
            elif (aid, channel) not in asked:
                reason = "no_marketing_consent"
            elif latest and latest[1] == "revoked":
                reason = "unsubscribed"
            elif latest:
                given_as_minor = born is not None and _age(born, latest[0].date()) < 18
                in_force = _latest([g for g in guardian.get(pid, []) if g[0] <= latest[0]])
                if given_as_minor and not (in_force and in_force[1] == "granted"):
                    reason = "consent_given_as_minor"
            elif other_grant:
                reason = "wrong_purpose"
            else:
                reason = "no_marketing_consent"
            if reason is None and _latest(personalised.get(aid, [])) and _latest(personalised[aid])[1] == "revoked":
                reason = "opted_out_personalised_marketing"
            if reason is None and aid in complaints:
                reason = "open_complaint"
            verdict[aid, channel] = reason
    return verdict


def test_no_contactable_row_is_one_the_policy_forbids_recomputed_from_the_source(tiny_run, monkeypatch):
    settings, _, summary = tiny_run
    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    wh = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    model = {(k, c): r for k, c, r in wh.execute(
        "SELECT account_key, channel, suppression_reason FROM audience.fct_contactable_adults").fetchall()}
    wh.close()
    _key, con = open_session(settings)
    try:
        key_of = dict(con.execute("SELECT a.account_id, t.token FROM vault.raw.accounts AS a "
                                  "JOIN vault.tokens.account AS t ON t.value = a.openid").fetchall())
    finally:
        con.close()
    expected = policy(str(settings.data_dir / "source" / "ops.sqlite"), summary.as_of)

    # a completed deletion was carried out by the run: the person is in neither vault nor warehouse
    deleted = {aid for (aid, _), r in expected.items() if r == "deleted"}
    assert deleted, "the tiny source holds a completed deletion"
    assert not deleted & set(key_of)
    assert summary.source_deletions >= 1

    compared = {(key_of[aid], c): r for (aid, c), r in expected.items() if aid in key_of}
    assert set(compared) == set(model)
    wrongly_contactable = [(r, model[k]) for k, r in compared.items() if r is not None and model[k] is None]
    assert not wrongly_contactable
    differ = [(r, model[k]) for k, r in compared.items() if r != model[k]]
    assert not differ, differ[:5]
    # the rules are exercised by the generated data, not only by unit tests
    reasons = set(model.values())
    assert {"deletion_pending", "consent_given_as_minor", "wrong_purpose", "unsubscribed"} <= reasons
