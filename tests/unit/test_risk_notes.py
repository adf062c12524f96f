"""The gate on a mart of events with redacted free text (fct_service_notes): several rows per
account, the month along the calendar, small classes withheld whole, placeholders counted per
type, and a validated identifier left in released text refused without printing it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from anonymizer import attacks, hierarchy, redact, release, risk

PROJECT = Path(__file__).resolve().parents[2]
QIS = ("opened_month", "contact_kind", "contact_channel")
NOTES = release.Mart("profile", "notes", QIS, (*QIS, "note_redacted"), "analysts", "n", "account_key",
                  withhold_suppressed=True, redacted_text=("note_redacted",))
POLICY = risk.Policy(k_analysts=5, k_shared=10, max_suppression=0.1, linkage_max_rate=0.01, linkage_sample=1000)
ADVERSARY = attacks.Adversary("a test adversary", {"events": ("a dated service contact", QIS)}, (("events",),))
NAME, MOBILE = redact.PLACEHOLDERS["NAME"], redact.PLACEHOLDERS["MOBILE"]

# (accounts, notes each, month, kind, channel): 37 accounts, 61 notes
GROUPS = [
    (20, 2, "2025-01", "complaint", "电话"),
    (6, 1, "2025-02", "complaint", "电话"),
    (3, 1, "2025-03", "complaint", "电话"),
    (5, 1, "2025-04", "consultation", "在线客服"),
    (1, 5, "2025-05", "consultation", "在线客服"),  # one account, five notes: a class of one, not five
    (2, 1, "2025-11", "complaint", "公众号留言"),  # alone in its quarter: withheld
]


def _con(groups=GROUPS, note: str = f"{NAME}来电，手机{MOBILE}。") -> duckdb.DuckDBPyConnection:
    """A build database with the truth ``intermediate.n`` and a release ``rel`` holding ``profile.notes``."""
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS rel")
    con.execute("CREATE SCHEMA rel.reference; CREATE SCHEMA rel.profile; CREATE SCHEMA intermediate")
    con.execute(f"CREATE TABLE rel.reference.calendar AS SELECT * FROM read_csv('{PROJECT / 'seeds/calendar.csv'}', "
                "all_varchar = true)")
    con.execute("CREATE TABLE intermediate.n (record_key VARCHAR, account_key VARCHAR NOT NULL, opened_month VARCHAR, "
                "contact_kind VARCHAR, contact_channel VARCHAR, note_redacted VARCHAR)")
    rows, a = [], 0
    for accounts, each, month, kind, channel in groups:
        for _ in range(accounts):
            rows += [(f"rec_{len(rows) + i}", f"acc_{a}", month, kind, channel, note) for i in range(each)]
            a += 1
    con.executemany("INSERT INTO intermediate.n VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE rel.profile.notes AS SELECT * EXCLUDE (record_key, account_key) FROM intermediate.n")
    return con


def test_the_month_is_generalised_along_the_calendar_and_small_classes_are_withheld_whole():
    """Months leave three classes under 5 accounts (6 people, over the 3.7 budget); quarters leave
    one (2 people): 2025-Q4's two notes are withheld, not starred, and no extra class is suppressed
    with them (withheld rows form no class an attacker could single out)."""
    con = _con()
    (r,) = risk.assess(con, [NOTES], POLICY, ADVERSARY)
    assert r.levels == {"opened_month": 1, "contact_kind": 0, "contact_channel": 0}
    assert r.released_levels["opened_month"] == "quarter"
    assert r.before.k == 1 and r.before.rows == 61 and r.before.people == 37, "k counts accounts, not notes"
    assert r.after.suppressed == 2 and r.after.k == 6 and not r.failures
    assert con.execute("SELECT opened_month, contact_kind, contact_channel, count(*) FROM rel.profile.notes "
                       "GROUP BY ALL ORDER BY ALL").fetchall() == [
        ("2025-Q1", "complaint", "电话", 49), ("2025-Q2", "consultation", "在线客服", 10)]
    assert any(a.startswith("suppressed 2 of 37 people") and "2 rows withheld, not starred" in a for a in r.actions)
    assert r.text["released"] == 59 and r.text["withheld"] == 2
    assert "account_key" not in [c[0] for c in con.execute("DESCRIBE rel.profile.notes").fetchall()]


def test_every_released_class_holds_k_accounts_of_the_truth():
    con = _con()
    (r,) = risk.assess(con, [NOTES], POLICY, ADVERSARY)
    smallest = con.execute("""
        SELECT min(accounts) FROM (
            SELECT count(DISTINCT t.account_key) AS accounts
            FROM intermediate.n AS t
            JOIN (SELECT DISTINCT month, quarter FROM rel.reference.calendar) AS c ON c.month = t.opened_month
            JOIN (SELECT DISTINCT * EXCLUDE (note_redacted) FROM rel.profile.notes) AS p
              ON p.opened_month = c.quarter AND p.contact_kind = t.contact_kind
             AND p.contact_channel = t.contact_channel
            GROUP BY ALL)""").fetchone()[0]
    assert smallest >= r.k_required


def test_an_attacker_knowing_a_dated_contact_re_identifies_nobody_released():
    """The account alone in 2025-05 has five notes there: five consistent rows, all its own, are a
    re-identification (counting rows, the attack would miss it)."""
    (r,) = risk.assess(_con(), [NOTES], POLICY, ADVERSARY)
    (a,) = r.attacks
    assert a["counted"] == "people"
    assert a["targets"] == 37 and a["reidentified_before"] == 1, "the account alone in 2025-05 is unique untreated"
    assert a["after"] == 0


def test_rows_that_are_not_the_truth_at_the_released_levels_are_attacked_row_by_row():
    """Owners are only lent to published rows the gate can rebuild exactly from the truth."""
    con = _con()
    (r,) = risk.assess(con, [NOTES], POLICY, ADVERSARY)
    assert attacks.owned_release(con, NOTES, "rel.profile.notes", r.levels) == "attack_owners"
    con.execute("DELETE FROM rel.profile.notes WHERE contact_kind = 'consultation'")
    assert attacks.owned_release(con, NOTES, "rel.profile.notes", r.levels) is None


def test_published_rows_as_many_as_the_truth_but_one_value_different_are_attacked_row_by_row():
    """The rebuilt and published rows are compared as multisets, not only counted."""
    one_row = "WHERE rowid = (SELECT min(rowid) FROM rel.profile.notes WHERE {} IS DISTINCT FROM {})"
    for column, value in (("contact_kind", "'consultation'"), ("opened_month", "NULL")):
        change = f"{column} = {value} " + one_row.format(column, value)
        con = _con()
        (r,) = risk.assess(con, [NOTES], POLICY, ADVERSARY)
        assert attacks.owned_release(con, NOTES, "rel.profile.notes", r.levels) == "attack_owners"
        con.execute(f"UPDATE rel.profile.notes SET {change}")
        assert attacks.owned_release(con, NOTES, "rel.profile.notes", r.levels) is None, change


def test_placeholders_are_counted_per_type_in_sql_for_every_type_of_the_redactor():
    con = duckdb.connect()
    notes = [f"{NAME}和{NAME}来电，手机{MOBILE}", "没有个人信息", None, "".join(redact.PLACEHOLDERS.values())]
    con.execute("CREATE TABLE t (note VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(n,) for n in notes])
    row = con.execute(f"SELECT {risk.span_counts_sql('note')} FROM t").fetchone()
    counts = dict(zip(redact.PLACEHOLDERS, row, strict=True))
    expected = {kind: sum((n or "").count(p) for n in notes) for kind, p in redact.PLACEHOLDERS.items()}
    assert counts == expected and counts["NAME"] == 3 and counts["MOBILE"] == 2


def test_a_placeholder_inside_a_longer_one_is_not_counted_twice(monkeypatch):
    """Types will be added to the redactor: a placeholder that is part of another counts apart."""
    monkeypatch.setattr(redact, "PLACEHOLDERS", {"NAME": "〔姓名〕", "PLATE": "〔车牌〕", "OLD": "〔车牌〕〔姓名〕"})
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT '〔车牌〕〔姓名〕和〔姓名〕，〔车牌〕' AS note")
    assert con.execute(f"SELECT {risk.span_counts_sql('note')} FROM t").fetchone() == (1, 1, 1)


def test_residual_identifiers_are_counted_per_type_and_never_returned():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (note VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(f"{NAME}来电，手机{MOBILE}。",), ("回电 13812345678，邮箱 a.b@example.com",)])
    found = risk.residual_by_text(con, "t", "note")
    assert set(redact.PLACEHOLDERS) <= set(found)
    assert found["MOBILE"] == 1 and found["EMAIL"] == 1 and found["ID"] == 0
    assert all(isinstance(n, int) for n in found.values())


def test_a_validated_identifier_left_in_released_text_refuses_the_release_without_its_value():
    con = _con(note="客户回电要求退款，联系电话13812345678。")
    (r,) = risk.assess(con, [NOTES], POLICY, ADVERSARY)
    assert r.text["residual"]["MOBILE"] == 59
    assert r.failures == ["the redactor still finds 59 MOBILE identifiers in the released note_redacted (values not shown)"]
    with pytest.raises(risk.RiskGateFailed, match="profile.notes: .*MOBILE") as refused:
        risk.gate([r])
    assert "13812345678" not in str(refused.value) and "13812345678" not in risk.text_line(r.text)


def test_a_name_the_detectors_guess_again_is_reported_not_refused():
    """Only validated kinds refuse: a detected name in text that already holds placeholders is reported."""
    con = _con(note="王先生来电咨询理赔流程。")
    (r,) = risk.assess(con, [NOTES], POLICY, ADVERSARY)
    assert r.text["residual"]["NAME"] == 59 and "NAME" not in risk.REFUSED_RESIDUAL
    assert not r.failures and "identifiers still found: NAME 59" in risk.text_line(r.text)


def test_the_notes_mart_is_judged_through_its_truth_and_withholds_what_it_suppresses():
    notes = next(m for m in release.load_marts(PROJECT) if m.relation == "profile.fct_service_notes")
    assert notes.truth == "int_service_notes" and notes.truth_key == "account_key"
    assert notes.quasi_identifiers == QIS and notes.withhold_suppressed and notes.redacted_text == ("note_redacted",)
    assert not any(c.endswith("_key") for c in notes.columns)
    others = [m for m in release.load_marts(PROJECT) if m.relation != "profile.fct_service_notes"]
    assert not any(m.withhold_suppressed or m.redacted_text for m in others)


def test_the_month_hierarchy_runs_month_quarter_year():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA reference")
    con.execute(f"CREATE TABLE reference.calendar AS SELECT * FROM read_csv('{PROJECT / 'seeds/calendar.csv'}', "
                "all_varchar = true)")
    con.execute("CREATE TABLE t AS SELECT '2025-02' AS opened_month")
    row = con.execute(hierarchy.levelled("t", ("opened_month",), "reference", None)
                      .replace("SELECT b.*,", "SELECT")).fetchone()
    assert row[-3:] == ("2025-02", "2025-Q1", "2025") and hierarchy.depth("opened_month") == 3


def test_the_gate_reads_only_released_texts_no_earlier_gate_read_and_counts_the_same(monkeypatch):
    """Verdicts kept in the build database (``risk.TEXT_CHECKS``) stand for texts read before; a text
    the earlier gate did not read (or read with another redactor version) is read now."""
    from anonymizer.redact import batch

    read: list[str] = []
    real = batch.kinds_found
    monkeypatch.setattr(batch, "kinds_found", lambda texts, *a, **k: (read.extend(texts), real(texts))[1])
    con = duckdb.connect()
    texts = [f"{NAME}来电，手机{MOBILE}。", "回电 13812345678", "回电 13812345678", None, "邮箱 a.b@example.com"]
    con.execute("CREATE TABLE t (note VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(n,) for n in texts])
    first = risk.residual_by_text(con, "t", "note", keep=True)
    assert sorted(read) == sorted({t for t in texts if t}) and first["MOBILE"] == 2 and first["EMAIL"] == 1

    read.clear()
    con.execute("INSERT INTO t VALUES ('新来的 13912345678')")
    again = risk.residual_by_text(con, "t", "note", checks=risk.TEXT_CHECKS, keep=True)
    assert read == ["新来的 13912345678"]
    assert again == {**first, "MOBILE": 3}

    read.clear()
    monkeypatch.setattr(batch, "CODE_VERSION", "another redactor")
    assert risk.residual_by_text(con, "t", "note", checks=risk.TEXT_CHECKS) == again
    assert len(read) == 4  # every distinct text read again: the verdicts were another redactor's
