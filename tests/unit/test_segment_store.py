"""The segment store keeps every wave, so entries and exits can be counted for lift."""

from __future__ import annotations

from datetime import date

from audiences.segments import changes, connect_store, holdout_sql, install_holdout_macro


def test_membership_changes_count_who_entered_left_and_stayed(tmp_path):
    con = connect_store(tmp_path)
    con.execute("INSERT INTO waves VALUES (DATE '2026-11-01', 'r1', now()), (DATE '2026-11-08', 'r2', now())")
    rows = [("2026-11-01", "a"), ("2026-11-01", "b"), ("2026-11-01", "c"),
            ("2026-11-08", "b"), ("2026-11-08", "c"), ("2026-11-08", "d"), ("2026-11-08", "e")]
    con.executemany("INSERT INTO membership VALUES (?::DATE, 'renewal_due', 'v', ?, 'wechat', 'treatment')", rows)
    con.close()
    assert changes(tmp_path, "renewal_due") == (date(2026, 11, 1), 2, 1, 2)


def test_holdout_assignment_is_a_stable_keyed_hash_of_the_account_and_audience(tmp_path):
    con = connect_store(tmp_path)
    install_holdout_macro(con, b"\x01" * 32)
    accounts = "SELECT 'o' || i AS account_value FROM range(20000) t(i)"
    sql = f"SELECT avg({holdout_sql('renewal_due', 0.1)}::INT) FROM ({accounts})"
    share = con.execute(sql).fetchone()[0]
    assert 0.09 < share < 0.11
    assert con.execute(sql).fetchone()[0] == share
    members = f"SELECT list(account_value ORDER BY account_value) FROM ({accounts}) WHERE {{}}"
    one = con.execute(members.format(holdout_sql("renewal_due", 0.1))).fetchone()[0]
    other = con.execute(members.format(holdout_sql("lapsed_winback", 0.1))).fetchone()[0]
    assert len(set(one) & set(other)) < 0.2 * len(one)  # independent per audience
    install_holdout_macro(con, b"\x02" * 32)  # another vault's secret: another draw
    assert len(set(one) & set(con.execute(members.format(holdout_sql("renewal_due", 0.1))).fetchone()[0])) \
        < 0.2 * len(one)
    con.close()
