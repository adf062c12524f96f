"""Subject rights on tiny: erasure without trace that survives a re-run, access, and clear refusals."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import duckdb
import pytest

from pipelines import subjects
from pipelines.run import rebuild, run
from vault.schema import checked
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.privacy, pytest.mark.xdist_group("tiny")]


@pytest.fixture
def data(tiny_copy):
    return tiny_copy


def _warehouse_strings(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = set()
        for schema, table, col in con.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type = 'VARCHAR' AND suffix(column_name, '_key')").fetchall():
            found |= {r[0] for r in con.execute(f'SELECT DISTINCT "{col}" FROM "{schema}"."{table}"').fetchall()}
        return found
    finally:
        con.close()


def test_erasure_leaves_no_trace_and_a_rerun_from_the_unchanged_source_does_not_bring_them_back(data):
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    account_id, openid = src.execute(
        "SELECT a.account_id, a.openid FROM accounts a WHERE a.status = 'active' AND EXISTS "
        "(SELECT 1 FROM orders o WHERE o.account_id = a.account_id AND o.status = 'paid') AND EXISTS "
        "(SELECT 1 FROM service_records s WHERE s.account_id = a.account_id) ORDER BY 1 LIMIT 1"
    ).fetchone()
    cached = "SELECT count(*) FROM vault.ops.redacted_notes WHERE record_id IN (SELECT unnest(?::BIGINT[]))"
    _key, con = open_session(data)
    try:
        subject = subjects.find(con, openid=openid, scope="household")
        tokens = set(subjects.subject_tokens(con, subject))
        notes = subject.rows["service_records"]
        notes_cached = con.execute(cached, [notes]).fetchone()[0]
        validated = sum(con.execute(f"SELECT count(*) FROM {checked(t)} WHERE source_key "
                                  "IN (SELECT unnest(?::BIGINT[]))", [keys]).fetchone()[0]
                      for t, keys in subject.rows.items())
        erased = subjects.erase(con, subject, "test-erasure")
        notes_cached_after = con.execute(cached, [notes]).fetchone()[0]
        validated_after = sum(con.execute(f"SELECT count(*) FROM {checked(t)} WHERE "
                                        "source_key IN (SELECT unnest(?::BIGINT[]))", [keys]).fetchone()[0]
                            for t, keys in subject.rows.items())
        ledger = con.execute("SELECT kind, subject_hash FROM vault.ops.erasure_ledger").fetchall()
    finally:
        con.close()
    assert tokens and erased.removed["accounts"] == 1
    assert notes_cached == len(notes) > 0 and notes_cached_after == 0  # their redacted notes are gone too
    assert validated > 0 and validated_after == 0  # and what their rows were last validated on
    assert {k for k, _ in ledger} >= {"openid", "person"} and all(openid not in h for _, h in ledger)
    rebuild(data, log=lambda m: None, status="erasure")
    assert not (tokens & _warehouse_strings(data.layout.internal_path))

    # the source still holds them, and even re-sends their rows (a later update there)
    for table in ("accounts", "insured_persons", "orders", "consent_events", "access_logs"):
        src.execute(f"UPDATE {table} SET updated_at = '2026-11-24 09:00:00' WHERE account_id = ?", [account_id])
    src.commit()
    src.close()
    summary = run(data, log=lambda m: None)
    assert not (tokens & _warehouse_strings(data.layout.internal_path))
    wh = duckdb.connect(str(data.layout.warehouse_path), read_only=True)
    recon = wh.execute("SELECT reconciles, withheld_rows FROM governance.fct_pipeline_runs WHERE is_latest_run").fetchone()
    wh.close()
    assert recon[0] is True and recon[1] > 0 and summary.build.failed == 0
    _key, con = open_session(data)
    try:
        with pytest.raises(subjects.SubjectError, match="no one"):
            subjects.find(con, openid=openid)
        held = con.execute("SELECT count(*) FROM vault.ops.legal_hold").fetchone()[0]
    finally:
        con.close()
    assert held > 0  # transactions kept for the 3-year legal hold, invisible to the warehouse


def _cli(data, *args):
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "subject", *args, "--data-dir",
                           str(data.data_dir)], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("args", "message"), [
    (["erase", "--id-number", "32021119850309037"], "malformed"),
    (["erase", "--id-number", "320211198503090371"], "malformed"),  # wrong check digit
    (["access", "--mobile", "12345"], "malformed"),
    (["erase", "--openid", "oAAAAAAAAAAAAAAAAAAAAAAAAAAA"], "no one"),
])
def test_bad_or_unknown_identifiers_get_one_clear_line_and_change_nothing(data, args, message):
    vault = data.data_dir / "vault.duckdb"
    before = vault.stat().st_mtime_ns
    proc = _cli(data, *args)
    assert proc.returncode == 1 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert args[-1] not in proc.stderr + proc.stdout
    if message == "malformed":
        assert vault.stat().st_mtime_ns == before


def test_access_answers_into_the_restricted_folder_only(data):
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    id_number = src.execute("SELECT id_number FROM insured_persons WHERE relationship = '本人' AND "
                            "id_type = '居民身份证' LIMIT 1").fetchone()[0]
    src.close()
    proc = _cli(data, "access", "--id-number", id_number, "--format", "html")
    assert proc.returncode == 0, proc.stderr
    assert id_number not in proc.stdout
    answers = list((data.data_dir / "restricted" / "subject-requests").glob("*-access.html"))
    assert len(answers) == 1 and oct(answers[0].stat().st_mode)[-3:] == "600"
    assert id_number in answers[0].read_text()


def _export_and_activate(data):
    from datetime import datetime

    from anonymizer.pseudonymise import install_shared_macros
    from audiences.activate import activate
    from audiences.export import export
    from audiences.segments import refresh

    key, con = open_session(data)
    try:
        seg = next(s for s in refresh(con, data.data_dir, data.layout.internal_path)
                   if s.audience.name == "renewal_due")
        as_csv = export(con, key, data.data_dir, seg, "csv")
        as_parquet = export(con, key, data.data_dir, seg, "parquet")
        install_shared_macros(con)
        delivery = activate(con, key, data.data_dir, seg, datetime.now()).path
        # a member of both exports (the first row of the CSV), found back through the vault
        first = duckdb.connect().execute(f"SELECT min(member_key) FROM read_csv('{as_csv.path}')").fetchone()[0]
        openid = con.execute("SELECT value FROM vault.ops.release_tokens WHERE token = ?", [first]).fetchone()[0]
        member_token = con.execute("SELECT token FROM vault.tokens.account WHERE value = ?", [openid]).fetchone()[0]
    finally:
        con.close()
    return seg, as_csv, as_parquet, delivery, openid, member_token


def _export_keys(path) -> set[str]:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return {r[0] for r in duckdb.connect().execute(f"SELECT member_key FROM {reader}('{path}')").fetchall()}


def test_access_finds_a_person_in_csv_and_parquet_exports_by_their_export_tokens(data):
    _seg, as_csv, as_parquet, _delivery, openid, _ = _export_and_activate(data)
    _key, con = open_session(data)
    try:
        report = subjects.access(con, subjects.find(con, openid=openid), data.layout.internal_path, data.data_dir)
    finally:
        con.close()
    found = {e["file"]: e["export_id"] for e in report["exports"]}
    assert found == {str(p.path.relative_to(data.data_dir)): p.manifest["export_id"] for p in (as_csv, as_parquet)}
    assert report["segments"] and report["warehouse"]


def test_erasure_reaches_segment_history_csv_and_parquet_exports_and_delivery_files(data):
    import json

    from audiences.segments import store_path

    seg, as_csv, as_parquet, delivery, openid, member_token = _export_and_activate(data)
    _key, con = open_session(data)
    try:
        subject = subjects.find(con, openid=openid, scope="household")
        release = dict(subjects.subject_release_tokens(con))
        erased = subjects.erase(con, subject, "test-erasure")
        left = con.execute("SELECT count(*) FROM vault.ops.release_tokens WHERE value = ?", [openid]).fetchone()[0]
    finally:
        con.close()
    assert set(erased.release_tokens) == set(release.values()) and left == 0
    delivered_before = openid in delivery.read_text()
    removed = subjects.purge_downstream(data.data_dir, erased.account_tokens, erased.handles, erased.release_tokens)
    assert removed["membership"] >= 1 and removed["export rows"] == 2
    assert removed["delivery rows"] == int(delivered_before)
    assert openid not in delivery.read_text() and not set(release.values()) & set(delivery.read_text().split(","))
    for exported in (as_csv, as_parquet):
        keys = _export_keys(exported.path)
        assert len(keys) == seg.members - 1 and not keys & set(release.values())
        manifest = json.loads(exported.path.with_name(exported.path.name + ".manifest.json").read_text())
        assert manifest["row_count"] == seg.members - 1 and manifest["erasures_applied"] == 1
    seg_con = duckdb.connect(str(store_path(data.data_dir)), read_only=True)
    assert seg_con.execute("SELECT count(*) FROM membership WHERE member_key = ?", [member_token]).fetchone()[0] == 0
    seg_con.close()


def test_a_correction_in_the_source_flows_to_every_derived_row_without_a_stale_copy(data):
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    account_id, old_mobile = src.execute(
        "SELECT account_id, mobile FROM accounts WHERE status = 'active' AND mobile IS NOT NULL ORDER BY 1 LIMIT 1"
    ).fetchone()
    new_mobile = "13900000000" if old_mobile != "13900000000" else "13900000001"
    src.execute("UPDATE accounts SET mobile = ?, updated_at = '2026-11-24 10:00:00' WHERE account_id = ?",
                [new_mobile, account_id])
    src.commit()
    src.close()
    proc = _cli(data, "correct", "--mobile", new_mobile)
    assert proc.returncode == 0, proc.stderr
    _key, con = open_session(data)
    try:
        new_token, old_token = (con.execute("SELECT token FROM vault.tokens.mobile WHERE value = ?", [m]).fetchone()
                                for m in (new_mobile, old_mobile))
    finally:
        con.close()
    strings = _warehouse_strings(data.layout.internal_path)
    assert new_token[0] in strings
    assert old_token is None or old_token[0] not in strings  # no stale copy of the old value's token
    wh = duckdb.connect(str(data.layout.internal_path), read_only=True)
    assert wh.execute("SELECT count(*) FROM pseudo.accounts").fetchone()[0] == \
        wh.execute("SELECT count(DISTINCT account_key) FROM pseudo.accounts").fetchone()[0]
    wh.close()


def test_subject_commands_without_the_key_stop_with_one_line(data, monkeypatch):
    monkeypatch.delenv("YIHUI_MASTER_KEY")
    proc = _cli(data, "access", "--openid", "oAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert proc.returncode == 1 and proc.stderr.startswith("Error: no master key")


def _holder_with_family(data) -> tuple[str, str, int]:
    """(holder's ID number, account OpenID, how many others are insured on the account)."""
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    row = src.execute(
        "SELECT h.id_number, a.openid, (SELECT count(*) FROM insured_persons o WHERE o.account_id = a.account_id "
        "AND o.relationship <> '本人') AS others FROM insured_persons h JOIN accounts a USING (account_id) "
        "WHERE h.relationship = '本人' AND h.id_type = '居民身份证' AND a.status = 'active' AND others >= 2 "
        "ORDER BY a.account_id LIMIT 1").fetchone()
    src.close()
    return row


def test_access_answers_for_the_person_alone_unless_the_household_is_asked_for_and_says_which(data):
    id_number, _openid, others = _holder_with_family(data)
    _key, con = open_session(data)
    try:
        alone = subjects.access(con, subjects.find(con, id_number=id_number), data.layout.internal_path, data.data_dir)
        household = subjects.access(con, subjects.find(con, id_number=id_number, scope="household"),
                                    data.layout.internal_path, data.data_dir)
    finally:
        con.close()
    assert [p["id_number"] for p in alone["vault"]["insured_persons"]] == [id_number]
    assert all(a["person_id"] == alone["vault"]["insured_persons"][0]["person_id"]
               for a in alone["vault"].get("health_answers", []))
    assert alone["scope"]["scope"] == "person" and alone["scope"]["other_people_left_out"] == others
    assert len(household["vault"]["insured_persons"]) == others + 1
    assert household["scope"]["scope"] == "household"
    proc = _cli(data, "access", "--id-number", id_number)
    assert proc.returncode == 0 and "scope person" in proc.stdout and f"{others} other insured people" in proc.stdout


def test_erasing_a_holder_alone_is_refused_while_their_account_holds_others_and_nothing_changes(data):
    _id_number, openid, others = _holder_with_family(data)
    proc = _cli(data, "erase", "--openid", openid)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        (f"Error: the account this person holds also holds {others} other insured people, whose records go with "
         "the account: nothing changed (--scope household erases the account with everyone on it)")]
    _key, con = open_session(data)
    try:
        subject = subjects.find(con, openid=openid, scope="household")
    finally:
        con.close()
    assert subject.accounts and len(subject.rows["insured_persons"]) == others + 1  # still held, all of them
    erased = _cli(data, "erase", "--openid", openid, "--scope", "household")
    assert erased.returncode == 0, erased.stderr
    assert "scope household" in erased.stdout and f"insured_persons {others + 1}" in erased.stdout


def test_an_access_answer_is_removed_when_that_person_is_erased_and_by_retention_after_its_period(data):
    from datetime import date, timedelta

    from pipelines import retention

    id_number, openid, _others = _holder_with_family(data)
    folder = data.data_dir / "restricted" / "subject-requests"
    assert _cli(data, "access", "--id-number", id_number).returncode == 0
    answer = next(folder.glob("*-access.json"))
    assert "removes it after 30 days" in _cli(data, "access", "--openid", openid).stdout
    erased = _cli(data, "erase", "--openid", openid, "--scope", "household")
    assert erased.returncode == 0, erased.stderr
    assert "access answers 2" in erased.stdout and not list(folder.glob("*-access.*"))

    # someone else's answer stays until its period ends
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    other = src.execute("SELECT id_number FROM insured_persons WHERE relationship = '本人' AND id_type = '居民身份证' "
                        "AND account_id <> (SELECT account_id FROM accounts WHERE openid = ?) LIMIT 1",
                        [openid]).fetchone()[0]
    src.close()
    assert _cli(data, "access", "--id-number", other).returncode == 0
    kept = next(folder.glob("*-access.json"))
    assert kept != answer
    _key, con = open_session(data)
    try:
        soon = retention.apply(con, date.today() + timedelta(days=29), data_dir=data.data_dir)
        assert soon["subject_access_answers"] == 0 and kept.exists()
        later = retention.apply(con, date.today() + timedelta(days=31), data_dir=data.data_dir)
        left = con.execute("SELECT count(*) FROM vault.ops.access_answers").fetchone()[0]
    finally:
        con.close()
    assert later["subject_access_answers"] == 1 and not kept.exists() and left == 0
