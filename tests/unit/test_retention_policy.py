"""The retention policy table as users read it."""

from __future__ import annotations

from pipelines.retention import load_policy


def test_every_rule_says_how_long_in_words_and_a_zero_period_is_until_the_rows_own_date():
    rules = {r.data_class: r for r in load_policy()}
    assert rules["access_logs"].period == "183 days after occurred_at"
    assert rules["transactions_on_hold"].period == "until the row's own hold_until date"
    assert all(r.period and r.basis for r in rules.values())
