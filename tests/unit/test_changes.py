"""Which account a pseudonymised row belongs to, and which landing rows an update in place reads."""

from __future__ import annotations

from anonymizer import changes
from core.schema import INGESTED


def test_every_ingested_row_belongs_to_an_account_directly_or_through_one_parent():
    owners = {t.name: changes.owner(t) for t in INGESTED}
    assert owners["payments"] == ("order_id", "orders")
    assert owners["certificates"] == ("order_id", "orders")  # the order, not the person named on it
    assert owners["health_answers"] == ("person_id", "insured_persons")
    assert {t for t, via in owners.items() if via is None} == {t.name for t in INGESTED} - {
        "payments", "certificates", "health_answers"}


def test_a_table_whose_parent_key_is_shared_between_accounts_is_rebuilt_whole():
    # one person can be insured by two accounts: a person_key does not find one account's rows
    assert "insured_persons" not in changes.BY_PARENT and "orders" in changes.BY_PARENT


def test_an_updated_table_reads_every_landing_table_through_its_own_account_set():
    plan = changes.Plan(full={"health_answers"}, purged_tables={"consent_events", "insured_persons"})
    sql = "SELECT * FROM landing.consent_events AS c LEFT JOIN (SELECT * FROM landing.insured_persons) USING (x)"
    assert changes.delta_sql(plan, "consent_events", sql) == (
        "SELECT * FROM delta_redo.consent_events AS c LEFT JOIN (SELECT * FROM delta_redo.insured_persons) USING (x)")
    assert changes.delta_sql(plan, "access_logs", "FROM landing.access_logs") == "FROM delta_changed.access_logs"


def test_the_run_log_line_names_the_accounts_redone_and_the_tables_rebuilt_whole():
    plan = changes.Plan(full={"health_answers"}, purged_tables={"certificates", "health_answers"},
                        changed=12, redone=20, accounts=1000)
    assert plan.describe() == ("accounts pseudonymised again: 12 of 1,000 (the others' rows kept), and 8 more whose "
                               "children's rows the last build removed, in certificates; tables rebuilt whole: "
                               "health_answers")
    assert changes.Plan(full={t.name for t in INGESTED}).describe() == "pseudonymised: every table written afresh"


def test_the_age_below_which_a_build_removes_a_persons_rows_is_dbts_var():
    assert changes.min_individual_age() == 14  # PIPL Art. 28, vars.min_individual_age in dbt_project.yml
