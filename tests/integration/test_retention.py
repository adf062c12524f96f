"""Retention with a chosen --as-of removes exactly the rows past their period, and stays removed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines import retention
from pipelines.run import rebuild, run
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.privacy, pytest.mark.xdist_group("tiny")]
AS_OF = date(2026, 11, 20)


@pytest.fixture
def data(tiny_copy):
    return tiny_copy


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def test_retention_removes_exactly_the_rows_past_their_period(data):
    logs_cutoff = AS_OF - timedelta(days=183)
    notes_cutoff = AS_OF - timedelta(days=730)
    _key, con = open_session(data)
    try:
        old_logs = _count(con, f"SELECT count(*) FROM vault.raw.access_logs WHERE occurred_at < DATE '{logs_cutoff}'")
        young_logs = _count(con, "SELECT count(*) FROM vault.raw.access_logs") - old_logs
        old_notes = _count(con, "SELECT count(*) FROM vault.raw.service_records WHERE note IS NOT NULL AND "
                                f"closed_at < DATE '{notes_cutoff}'")
        closed_cutoff = AS_OF - timedelta(days=365)
        records = _count(con, "SELECT count(*) FROM vault.raw.service_records WHERE account_id NOT IN (SELECT "
                              f"account_id FROM vault.raw.accounts WHERE status = 'closed' AND closed_at < DATE "
                              f"'{closed_cutoff}')")
        dry = retention.apply(con, AS_OF, dry_run=True)
        assert _count(con, "SELECT count(*) FROM vault.raw.access_logs") == old_logs + young_logs  # dry: unchanged
        done = retention.apply(con, AS_OF)
        assert dry == done
        assert done["access_logs"] == old_logs > 0 and done["service_notes"] == old_notes > 0
        assert _count(con, "SELECT count(*) FROM vault.raw.access_logs") == young_logs
        assert _count(con, f"SELECT min(occurred_at) >= DATE '{logs_cutoff}' FROM vault.raw.access_logs")
        # notes are anonymised, not deleted; only closed accounts past their period lose their records
        assert _count(con, "SELECT count(*) FROM vault.raw.service_records") == records
        assert _count(con, "SELECT count(*) FROM vault.raw.service_records WHERE note IS NOT NULL AND "
                           f"closed_at < DATE '{notes_cutoff}'") == 0
        # current consent state survives: every account keeps its latest marketing event per channel
        assert retention.apply(con, AS_OF) == {k: 0 for k in done}  # idempotent
    finally:
        con.close()
    rebuild(data, log=lambda m: None, status="retention")  # as `yihui retention apply` does
    summary = run(data, log=lambda m: None)  # the unchanged source still holds the old logs
    assert summary.build.failed == 0  # the reconciliation test inside dbt passes: they count as withheld
    _key, con = open_session(data)
    try:
        assert _count(con, "SELECT count(*) FROM vault.raw.access_logs") == young_logs
    finally:
        con.close()


def test_no_transaction_leaves_before_three_years_after_completion(data):
    when = AS_OF + timedelta(days=365 * 2)
    completion = {"orders": "created_at::DATE", "payments": "paid_at::DATE", "certificates": "coverage_end"}
    keys = {"orders": "order_id", "payments": "payment_id", "certificates": "certificate_id"}
    _key, con = open_session(data)
    try:
        def snapshot():
            return {(t, k, d) for t in completion for k, d in con.execute(
                f"SELECT {keys[t]}, {completion[t]} FROM vault.raw.{t}").fetchall()}

        before = snapshot()
        counts = retention.apply(con, when)
        gone = before - snapshot()
    finally:
        con.close()
    assert counts["closed_accounts"] > 0 and gone  # closed accounts' old transactions did go …
    assert all(d.replace(year=d.year + 3) < when for _, _, d in gone)  # … but only 3 years after completion
