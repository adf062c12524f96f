"""The real pipeline on the tiny preset: generate → run, then check the promises."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import duckdb
import pytest

from pipelines.bad_rows import matrix
from tests.conftest import TEST_KEY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


def test_every_mart_has_rows(tiny_run):
    _, _, summary = tiny_run
    assert {"profile.dim_customers", "profile.fct_policies", "profile.dim_households", "profile.agg_payments",
            "publication.fct_lottery_winners"} <= set(summary.marts)
    assert all(n > 0 for n in summary.marts.values()), summary.marts
    assert summary.build.failed == 0 and summary.build.passed > 50


def test_vault_cannot_be_opened_without_the_key(tiny_run):
    settings, _, _ = tiny_run
    con = duckdb.connect()
    with pytest.raises(duckdb.Error):
        con.execute(f"ATTACH '{settings.data_dir / 'vault.duckdb'}' AS v")
    with pytest.raises(duckdb.Error):
        con.execute(f"ATTACH '{settings.data_dir / 'vault.duckdb'}' AS v (ENCRYPTION_KEY 'guess', READ_ONLY)")


@pytest.mark.privacy
def test_no_source_identifier_reaches_any_string_column_of_the_warehouse(tiny_run):
    settings, _, _ = tiny_run
    src = sqlite3.connect(settings.data_dir / "source" / "ops.sqlite")
    raw = set()
    for sql in ("SELECT id_number FROM insured_persons", "SELECT mobile FROM accounts", "SELECT openid FROM accounts",
                "SELECT name FROM insured_persons", "SELECT contact_phone FROM group_bookings",
                "SELECT contact_email FROM group_bookings", "SELECT contact_name FROM group_bookings",
                "SELECT ip_address FROM access_logs", "SELECT device_id FROM access_logs",
                "SELECT company_name FROM group_bookings", "SELECT credit_code FROM group_bookings"):
        raw |= {r[0] for r in src.execute(sql) if r[0]}
    assert len(raw) > 3000
    hits = {}
    for path in (settings.layout.warehouse_path, settings.layout.internal_path):  # the release and the build database
        wh = duckdb.connect(str(path), read_only=True)
        wh.register("raw_values", __import__("pyarrow").table({"v": sorted(raw)}))
        cols = wh.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_catalog = current_database()"
        ).fetchall()
        assert len(cols) > 30
        for schema, table, col in cols:
            n = wh.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" t JOIN raw_values r ON t."{col}" = r.v'
            ).fetchone()[0]
            n += wh.execute(
                f"""SELECT count(*) FROM "{schema}"."{table}" WHERE NOT regexp_matches("{col}", '^[a-z]{{2,3}}_[0-9a-f]{{32}}$')
                AND (regexp_matches("{col}", '[0-9]{{17}}[0-9Xx]') OR regexp_matches("{col}", '(^|[^0-9])1[3-9][0-9]{{9}}([^0-9]|$)'))"""
            ).fetchone()[0]
            if n:
                hits[f"{path.name}:{schema}.{table}.{col}"] = n
        wh.close()
    assert hits == {}


def test_each_bad_row_class_is_quarantined_with_its_reason(tiny_run):
    settings, _, _ = tiny_run
    from anonymizer.keys import parse_key
    from vault.session import open_vault

    con = open_vault(settings.data_dir, parse_key(TEST_KEY, "test"), read_only=True)
    got = {}
    for table, key, reason in con.execute(
        "SELECT source_table, source_key, reason_code FROM vault.quarantine.current"
    ).fetchall():
        got.setdefault((table, key), set()).add(reason)
    for bad in matrix():
        assert bad.reason in got.get((bad.table, bad.row[0]), set()), bad.klass
    assert len(got) == len(matrix()), "only the bad rows are quarantined"


def test_validation_in_small_frames_quarantines_and_warns_exactly_as_whole_tables_do(tiny_copy, monkeypatch):
    """City tables are validated in primary-key chunks; keys duplicated across chunks must still be caught."""
    from pipelines import validate as validate_mod
    from pipelines.run import new_run_id, resolve_as_of
    from vault.session import open_session

    def quarantine_and_warnings(frame_rows: int) -> tuple[set, list]:
        monkeypatch.setattr(validate_mod, "FRAME_ROWS", frame_rows)
        _, con = open_session(tiny_copy)
        try:
            result = validate_mod.validate(con, tiny_copy, new_run_id(), resolve_as_of(con, tiny_copy), {}, full=True)
            return set(con.execute("SELECT source_table, source_key, reason_code FROM vault.quarantine.current"
                                   ).fetchall()), sorted(result.warnings)
        finally:
            con.close()

    whole, chunked = quarantine_and_warnings(10_000_000), quarantine_and_warnings(37)
    assert chunked == whole
    assert {(t, r) for t, _, r in whole[0]} >= {("accounts", "duplicate_key"), ("orders", "orphan_foreign_key")}
    assert len({(t, k) for t, k, _ in whole[0]}) == len(matrix())


def _validate(settings, full: bool, extract_first: bool = False):
    """(quarantine, warnings, page counts, rows re-checked by table) of one validation of ``settings``' vault."""
    from pipelines import validate as validate_mod
    from pipelines.extract import extract
    from pipelines.run import new_run_id, resolve_as_of
    from pipelines.source import Source
    from vault.session import open_session

    _, con = open_session(settings)
    try:
        if extract_first:
            extract(con, Source.parse(settings.source))
        result = validate_mod.validate(con, settings, new_run_id(), resolve_as_of(con, settings), {}, full=full)
        verdicts = set(con.execute("SELECT source_table, source_key, reason_code, rule, row_hash "
                                   "FROM vault.quarantine.current").fetchall())
    finally:
        con.close()
    page = {(s.name, e.type, e.column): (e.success, e.counts.get("element_count"), e.counts.get("unexpected_count"))
            for s in result.tally.suites.values() for e in s.expectations.values()}
    return verdicts, sorted(result.warnings), page, result.rechecked


def test_validation_rechecks_only_changed_rows_and_their_context_and_equals_a_full_validation(tiny_copy):
    """GX re-checks a row when its content changed or its context did (a parent newly quarantined, the
    suite); unchanged rows keep their verdicts, and quarantine, warnings and the quality page's counts
    are those of checking every row again."""
    from datetime import date

    from core.idnumbers import make_resident_id
    from pipelines.bad_rows import BASE

    src = sqlite3.connect(tiny_copy.data_dir / "source" / "ops.sqlite")
    with src:
        fixed = src.execute("UPDATE insured_persons SET id_number = ? WHERE person_id = ?",  # the bad checksum fixed
                            [make_resident_id("320213", date(1985, 3, 9), 911), BASE + 1]).rowcount
        bad_mobile = src.execute("UPDATE accounts SET mobile = '1381234' WHERE account_id = (SELECT min(account_id) "
                                 "FROM accounts WHERE status = 'active')").rowcount
        parent = src.execute("SELECT account_id FROM accounts WHERE status = 'active' AND account_id IN "
                             "(SELECT account_id FROM orders) ORDER BY account_id DESC LIMIT 1").fetchone()[0]
        src.execute("UPDATE accounts SET status = 'no-such-status' WHERE account_id = ?", [parent])  # children follow
        children = src.execute("SELECT count(*) FROM orders WHERE account_id = ?", [parent]).fetchone()[0]
    src.close()
    assert fixed == bad_mobile == 1 and children > 0

    verdicts, warnings, page, counts = _validate(tiny_copy, full=False, extract_first=True)
    full = _validate(tiny_copy, full=True)
    assert verdicts == full[0] and warnings == full[1]
    assert {k: v for k, v in page.items() if v != full[2][k]} == {}
    rechecked, judged = {t: n for t, (n, _) in counts.items()}, sum(n for _, n in counts.values())
    reasons = {(t, k): r for t, k, r, _, _ in verdicts}
    assert reasons[("accounts", parent)] == "invalid_value"
    assert reasons.get(("insured_persons", BASE + 1)) != "invalid_id_number", reasons.get(("insured_persons", BASE + 1))
    assert {r for (t, _), r in reasons.items() if t == "orders"} >= {"parent_quarantined"}
    assert rechecked["accounts"] == 2 and rechecked["insured_persons"] >= 2, rechecked
    assert children <= rechecked["orders"] < 3 * children + 3, rechecked
    assert sum(rechecked.values()) < 0.02 * judged, (rechecked, judged)


def _staged(settings, full_refresh: bool, extract_first: bool = False) -> tuple[dict[str, list], str]:
    """Every pseudo table of the next build database (rows sorted) after validating and staging the
    vault, and the stage's line on what it pseudonymised."""
    from anonymizer.pseudonymise import WRITTEN_IN
    from core.schema import INGESTED
    from pipelines.extract import extract
    from pipelines.run import RunSummary, new_run_id, resolve_as_of, stage
    from pipelines.source import Source
    from pipelines.validate import validate
    from vault.session import open_session

    key, con = open_session(settings)
    lines: list[str] = []
    try:
        if extract_first:
            extract(con, Source.parse(settings.source))
        summary = RunSummary(new_run_id(), resolve_as_of(con, settings))
        validate(con, settings, summary.run_id, summary.as_of, {})
        stage(con, key, settings, summary, "vault", lines.append, status="staged", full_refresh=full_refresh)
    finally:
        con.close()
    wh = duckdb.connect(str(settings.layout.staging_path), read_only=True)
    try:
        tables = {t.name: sorted(wh.execute(f"SELECT * EXCLUDE ({WRITTEN_IN}) FROM pseudo.{t.name}").fetchall(),
                                 key=repr) for t in INGESTED}  # which run wrote a row: the rows themselves equal
    finally:
        wh.close()
    return tables, next(ln for ln in lines if "pseudonymised: " in ln or "pseudonymised again" in ln)


def test_pseudonymising_only_the_changed_accounts_into_the_last_build_equals_pseudonymising_everything(tiny_copy):
    """The next build database starts as a copy of the published one; only accounts whose landing rows
    changed (content, moves between accounts, deletions, quarantine) are deleted and pseudonymised again,
    and the result is row for row what pseudonymising every landing row gives."""
    src = sqlite3.connect(tiny_copy.data_dir / "source" / "ops.sqlite")
    with src:
        active = [r[0] for r in src.execute("SELECT account_id FROM accounts WHERE status = 'active' AND account_id IN "
                                            "(SELECT account_id FROM orders) ORDER BY account_id LIMIT 4")]
        src.execute("UPDATE accounts SET openid = 'oXk-renamed-' || account_id WHERE account_id = ?", [active[0]])
        moved = src.execute("SELECT min(order_id) FROM orders WHERE account_id = ? AND order_id IN "
                            "(SELECT order_id FROM payments)", [active[1]]).fetchone()[0]
        src.execute("UPDATE orders SET account_id = ? WHERE order_id = ?", [active[2], moved])  # payments follow
        src.execute("UPDATE payments SET amount_fen = amount_fen + 1 WHERE payment_id = (SELECT max(payment_id) "
                    "FROM payments)")
        src.execute("DELETE FROM access_logs WHERE log_id = (SELECT min(log_id) FROM access_logs)")
        src.execute("INSERT INTO access_logs SELECT log_id + 1000000, account_id, datetime(latest, '+2 days'), "
                    "ip_address, geo_city, cookie_id, device_id, device_model, os, page, datetime(latest, '+2 days') "
                    "FROM access_logs, (SELECT max(occurred_at) AS latest FROM access_logs) "
                    "WHERE log_id = (SELECT max(log_id) FROM access_logs)")  # a later visit: ages move
        src.execute("UPDATE service_records SET note = '客户来电，已处理。' WHERE record_id = (SELECT min(record_id) "
                    "FROM service_records WHERE note IS NOT NULL)")
        src.execute("UPDATE group_bookings SET contact_phone = '13912345678' WHERE booking_id = "
                    "(SELECT min(booking_id) FROM group_bookings)")
        src.execute("DELETE FROM accounts WHERE account_id = ?", [active[3]])  # its rows become orphans
    src.close()

    incremental, line = _staged(tiny_copy, full_refresh=False, extract_first=True)
    everything, line_full = _staged(tiny_copy, full_refresh=True)
    assert {t for t in incremental if incremental[t] != everything[t]} == set()
    changed, landed = (int(n.replace(",", "")) for n in re.findall(r"([0-9,]+) of ([0-9,]+)", line)[0])
    assert 5 <= changed < 0.05 * landed, line
    # the tables a build removes children's rows from redo the accounts that held them too; the one it drops
    # is rebuilt whole, and so is the one whose ages moved with the reference date
    assert "removed, in certificates, consent_events;" in line, line
    assert line.endswith("tables rebuilt whole: health_answers, insured_persons"), line  # ages at the new date
    assert "every table written afresh" in line_full, line_full


def _parsed_whole_project(settings) -> bool:
    """Whether the last dbt invocation parsed the project again instead of reusing its last parse."""
    log = (settings.layout.dbt_logs / "dbt.log").read_text()
    return "Unable to do partial parsing" in log.rsplit("Running with dbt=", 1)[-1]


def test_a_build_on_a_new_reference_date_reuses_dbts_last_parse_and_its_models_use_the_new_date(tiny_copy):
    """In production the reference date moves every day: dbt must not parse the whole project again for it
    (it would for a changed var), yet every model must compute at the new date."""
    import dataclasses
    from datetime import timedelta

    from pipelines import build as build_mod

    _staged(tiny_copy, full_refresh=False)
    first = build_mod.staged_as_of(tiny_copy)
    build_mod.build(tiny_copy)
    later = dataclasses.replace(tiny_copy, as_of=first + timedelta(days=1))
    _staged(later, full_refresh=False)
    assert build_mod.build(later).failed == 0
    assert not _parsed_whole_project(later)
    wh = duckdb.connect(str(later.layout.staging_path), read_only=True)
    try:
        dates = {r[0] for r in wh.execute("SELECT DISTINCT as_of_date FROM audience.fct_contactable_adults").fetchall()}
    finally:
        wh.close()
    assert dates == {first + timedelta(days=1)}


def test_a_build_updated_in_place_scans_only_the_rows_its_run_wrote_for_raw_identifiers_until_the_scan_changes(
        tiny_copy, monkeypatch):
    """Each row kept from the published build database passed dbt's raw-identifier scan in the build that
    wrote it: an incremental build scans the pseudonymised sources' new rows only, and every row again
    once the scan is not the one the kept rows passed."""
    from anonymizer.pseudonymise import WRITTEN_IN
    from pipelines import build as build_mod
    from pipelines.errors import BuildFailed

    given: list[tuple[bool, str]] = []  # per dbt build: whether it was given vars; its YIHUI_AS_OF
    real_run_child = build_mod.run_child

    def run_child(cmd, cwd, env):
        given.append(("--vars" in cmd, env.get("YIHUI_AS_OF")))
        return real_run_child(cmd, cwd, env)

    monkeypatch.setattr(build_mod, "run_child", run_child)

    _staged(tiny_copy, full_refresh=False)
    staging = tiny_copy.layout.staging_path
    mobile = "13812345678"  # a raw mobile number, planted in one row at a time

    planted: list[tuple[int, str | None]] = []  # (rowid, its value before)

    def plant(written: str) -> None:
        wh = duckdb.connect(str(staging))
        try:
            for rowid, value in planted:  # the last plant undone
                wh.execute("UPDATE pseudo.consent_events SET policy_version = ? WHERE rowid = ?", [value, rowid])
            run_id = wh.execute("SELECT run_id FROM meta.build_info").fetchone()[0]
            planted[:] = [wh.execute(f"SELECT rowid, policy_version FROM pseudo.consent_events WHERE {WRITTEN_IN} "
                                     f"{written} ? ORDER BY rowid LIMIT 1", [run_id]).fetchone()]
            wh.execute("UPDATE pseudo.consent_events SET policy_version = ? WHERE rowid = ?", [mobile, planted[0][0]])
        finally:
            wh.close()

    def source_scan() -> tuple[str, bool]:
        try:
            limited = build_mod.build(tiny_copy).scanned_only_new_rows
        except BuildFailed:
            limited = build_mod.raw_scan_only(tiny_copy) is not None
        results = json.loads((tiny_copy.layout.dbt_target / "run_results.json").read_text())["results"]
        status = next(r["status"] for r in results
                      if r["unique_id"].startswith("test.yihui.source_no_raw_identifiers_ops_consent_events_"))
        wh = duckdb.connect(str(staging), read_only=True)
        try:  # the limit lives only as long as the build: a later dbt build on this database scans all
            assert not wh.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' "
                                  "AND table_name = 'raw_scan_only'").fetchone()[0]
        finally:
            wh.close()
        return status, limited

    assert build_mod.raw_scan_only(tiny_copy) is not None  # the copy of a build that passed this scan
    plant("=")  # a row this run wrote
    assert source_scan() == ("fail", True)
    plant("<>")  # a row kept from the last build
    assert source_scan() == ("pass", True)
    # the run id reaches the scan through the database, not as a dbt var, which would change every run
    # and make dbt parse the whole project again every run; the reference date is an env var
    assert not _parsed_whole_project(tiny_copy)
    assert set(given) == {(False, str(build_mod.staged_as_of(tiny_copy)))}, given
    wh = duckdb.connect(str(staging))
    try:
        wh.execute("UPDATE meta.raw_identifier_scan SET fingerprint = 'the scan of an older release'")
    finally:
        wh.close()
    assert source_scan() == ("fail", False)


def test_a_changed_suite_checks_every_row_of_its_table_again(tiny_copy, monkeypatch):
    from pipelines import validate as validate_mod

    _validate(tiny_copy, full=False)
    suite = validate_mod._suite

    def with_a_new_note(table):
        s = suite(table)
        if table.name == "orders":
            s["expectations"][0].setdefault("meta", {})["notes"] = "reworded"
        return s

    monkeypatch.setattr(validate_mod, "_suite", with_a_new_note)
    _, _, _, counts = _validate(tiny_copy, full=False)
    assert counts["accounts"][0] == 1  # nothing changed: one row, for the table-level expectations
    assert counts["orders"][0] == counts["orders"][1] > 100


def test_a_frame_reader_failure_stops_validation_with_that_error_and_leaves_no_thread(tiny_copy, monkeypatch):
    """Frames are read on a second thread: its failure must reach the caller, not hang or vanish."""
    import threading

    from pipelines import validate as validate_mod
    from pipelines.run import new_run_id, resolve_as_of
    from vault.session import open_session

    frame_sql = validate_mod._frame_sql

    def broken_for_orders(table, as_of):
        frame = frame_sql(table, as_of)
        frame.select = frame.select.replace("FROM vault.raw.orders", "FROM vault.raw.no_such_table")
        return frame

    monkeypatch.setattr(validate_mod, "_frame_sql", broken_for_orders)
    _, con = open_session(tiny_copy)
    run_id = new_run_id()
    try:
        with pytest.raises(duckdb.CatalogException, match="no_such_table"):
            validate_mod.validate(con, tiny_copy, run_id, resolve_as_of(con, tiny_copy), {})
        done = {r[0] for r in con.execute("SELECT source_table FROM vault.ops.reconciliation WHERE run_id = ?",
                                          [run_id]).fetchall()}
    finally:
        con.close()
    assert "landing-frames" not in {t.name for t in threading.enumerate()}
    assert "accounts" in done and "orders" not in done  # tables before the failure were validated


def test_source_rows_reconcile_exactly_with_loaded_plus_quarantined_plus_withheld(tiny_run):
    """Withheld on a first run: the accounts whose deletion the source completed, erased by the run."""
    settings, gen, summary = tiny_run
    wh = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    rows = wh.execute(
        "SELECT source_table, source_rows, loaded_rows, quarantined_rows, coalesce(withheld_rows, 0) "
        "FROM meta.reconciliation WHERE run_id = ?", [summary.run_id]
    ).fetchall()
    assert len(rows) == 13
    assert summary.source_deletions >= 1
    assert sum(r[4] for r in rows) > 0
    for table, source_rows, loaded, quarantined, withheld in rows:
        assert source_rows == gen.rows[table] == loaded + quarantined + withheld, table
        assert summary.pseudonymised[table] == loaded, table
        in_warehouse = wh.execute(f"SELECT count(*) FROM pseudo.{table}").fetchone()[0] \
            if table != "health_answers" else 0  # sensitive: dropped from the warehouse once aggregated
        if table in ("insured_persons", "certificates", "consent_events"):
            assert in_warehouse < loaded, table  # rows of children under 14 leave after the aggregates
        elif table != "health_answers":
            assert in_warehouse == loaded, table
    assert sum(r[3] for r in rows) == len(matrix())


def test_completed_source_deletions_are_erased_together_and_logged_one_line_per_request(tiny_run, monkeypatch):
    """One erasure for the run's batch (one per request took 15 minutes on city); the log still names
    each source request, with its own account's row count."""
    from vault.session import open_session

    settings, _, summary = tiny_run
    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    _, con = open_session(settings)
    try:
        lines = con.execute("SELECT request_id, rows FROM vault.ops.subject_request_log "
                            "WHERE identifier_kind = 'source_deletion' AND request_id LIKE ?",
                            [f"{summary.run_id}-source-%"]).fetchall()
        ledger = con.execute("SELECT DISTINCT request_id FROM vault.ops.erasure_ledger WHERE request_id LIKE ?",
                             [f"{summary.run_id}-%"]).fetchall()
    finally:
        con.close()
    assert len(lines) == summary.source_deletions >= 1
    assert all(rows >= 2 for _, rows in lines), lines  # at least the account and its holder
    assert ledger == [(f"{summary.run_id}-source-deletions",)]


def test_sms_verification_codes_are_never_ingested(tiny_run):
    settings, _, _ = tiny_run
    wh = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    names = {r[0] for r in wh.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not any("sms" in n or "verification" in n for n in names)


@pytest.mark.privacy
def test_no_key_material_in_any_file_the_run_wrote_warehouse_dbt_target_logs_or_spill(tiny_run):
    settings, _, _ = tiny_run
    from anonymizer.audit import key_material
    from anonymizer.keys import parse_key

    material = key_material(parse_key(TEST_KEY, "test"))  # master, vault key, every token key and HMAC pad
    needles = [m.encode() for m in material] + [m.upper().encode() for m in material] + [bytes.fromhex(m) for m in material]
    scanned = 0
    for path in settings.data_dir.rglob("*"):
        if path.is_file() and path.name != "vault.duckdb" and "keys" not in path.parts:
            data = path.read_bytes()
            scanned += 1
            assert not any(n in data for n in needles), path
    assert scanned > 10


def test_missing_key_stops_with_one_line_and_writes_nothing(tmp_path):
    before = set(tmp_path.rglob("*"))
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--data-dir", str(tmp_path / "d")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("Error: no master key") and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d" / "vault.duckdb").exists() and not (tmp_path / "d" / "warehouse.duckdb").exists()
    assert set(tmp_path.rglob("*")) - before <= {tmp_path / "d"} | set((tmp_path / "d").rglob("*"))


def test_wrong_key_stops_before_anything_is_written(tiny_run, monkeypatch):
    settings, _, _ = tiny_run
    stamps = {p: p.stat().st_mtime_ns for p in (settings.layout.warehouse_path, settings.data_dir / "vault.duckdb")}
    monkeypatch.setenv("YIHUI_MASTER_KEY", "77" * 32)
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--data-dir", str(settings.data_dir)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "does not open" in proc.stderr and "77" * 8 not in proc.stderr
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


@pytest.mark.privacy
def test_service_notes_reach_the_warehouse_redacted(tiny_run):
    settings, _, _ = tiny_run
    src = sqlite3.connect(settings.data_dir / "source" / "ops.sqlite")
    own = {}
    for record_id, name, id_number, mobile in src.execute(
        "SELECT s.record_id, p.name, p.id_number, a.mobile FROM service_records s "
        "JOIN insured_persons p USING (account_id) JOIN accounts a USING (account_id)"
    ):
        own.setdefault(record_id, set()).update(v for v in (name, id_number, mobile) if v)
    wh = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    notes = wh.execute("SELECT note_redacted FROM pseudo.service_records WHERE note_redacted IS NOT NULL").fetchall()
    assert len(notes) > 300 and any("〔姓名〕" in n for (n,) in notes)
    all_text = "\n".join(n for (n,) in notes)
    assert not [v for values in own.values() for v in values if len(v) >= 3 and v in all_text]


def test_dbt_docs_are_one_offline_page_describing_every_mart(tiny_run):
    from pipelines.build import docs

    settings, _, summary = tiny_run
    page = docs(settings)
    html = page.read_text(encoding="utf-8")
    assert page.name == "index.html" and page.stat().st_size > 100_000
    for mart in summary.marts:
        assert mart.split(".")[1] in html, mart


def test_health_answers_reach_only_the_suppressed_aggregate(tiny_run):
    settings, _, _ = tiny_run
    where = set()
    for path in (settings.layout.internal_path, settings.layout.warehouse_path):
        with duckdb.connect(str(path), read_only=True) as db:
            where |= {f"{s}.{t}" for s, t in db.execute(
                "SELECT table_schema, table_name FROM information_schema.columns WHERE column_name IN "
                "('medical_insurance_type', 'pre_existing_conditions', 'has_pre_existing_condition')").fetchall()}
    con = duckdb.connect(str(settings.layout.warehouse_path), read_only=True)
    try:
        small = con.execute("SELECT count(*) FROM profile.agg_health_profile WHERE persons < 10").fetchone()[0]
        suppressed = con.execute("SELECT count(*) FROM profile.agg_health_profile WHERE is_suppressed").fetchone()[0]
    finally:
        con.close()
    assert where == {"profile.agg_health_profile"}
    assert small == 0 and suppressed > 0


def test_children_under_14_are_nowhere_in_the_warehouse_but_the_aggregate(tiny_run):
    settings, _, _ = tiny_run
    released = duckdb.connect(str(settings.layout.warehouse_path), read_only=True)
    try:
        counted = released.execute("SELECT sum(children) FROM profile.agg_children_coverage").fetchone()[0]
        young = released.execute("SELECT (SELECT count(*) FROM profile.dim_customers WHERE age_band = '0-13') + "
                                 "(SELECT count(*) FROM profile.fct_policies WHERE age_band = '0-13')").fetchone()[0]
    finally:
        released.close()
    assert counted > 0 and young == 0
    con = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    try:
        rows = con.execute("SELECT count(*) FROM pseudo.insured_persons WHERE age < 14").fetchone()[0]
        staged = con.execute("SELECT count(*) FROM staging.stg_ops__insured_persons WHERE age < 14").fetchone()[0]
        dangling = con.execute("SELECT count(*) FROM pseudo.certificates WHERE person_key NOT IN "
                               "(SELECT person_key FROM pseudo.insured_persons)").fetchone()[0]
        # every other relation holding people: no one under 14 by age, no person the purge removed
        relations = con.execute(
            "SELECT table_schema || '.' || table_name, list(column_name) FROM information_schema.columns "
            "WHERE column_name IN ('age', 'person_key') AND table_name <> 'agg_children_coverage' "
            "GROUP BY ALL").fetchall()
        leftovers = {}
        for relation, columns in relations:
            where = ["person_key NOT IN (SELECT person_key FROM pseudo.insured_persons)"] * ("person_key" in columns)
            where += ["age < 14"] * ("age" in columns)
            leftovers[relation] = con.execute(
                f"SELECT count(*) FROM {relation} WHERE {' OR '.join(where)}").fetchone()[0]
    finally:
        con.close()
    assert rows == staged == dangling == 0
    assert "intermediate.int_persons" in leftovers and not any(leftovers.values()), leftovers


def test_gx_results_name_the_run_and_frame_and_hold_no_data_fingerprint(tiny_run):
    """The fingerprint GX computes for pandas batches cost 11 s on city (switched off in validate)."""
    import json

    settings, _, summary = tiny_run
    results = list((settings.data_dir / "gx" / "gx" / "uncommitted" / "validations").rglob("*.json"))
    ours = [json.loads(p.read_text()) for p in results if summary.run_id in str(p)]
    assert len(ours) >= 13
    for result in ours:
        assert result["meta"]["run_id"]["run_name"].startswith(summary.run_id)
        assert "pandas_data_fingerprint" not in result["meta"]["batch_markers"]


def test_a_quarantined_row_is_retried_and_loaded_once_the_source_corrects_it(tiny_copy):
    """The bad-checksum ID is fixed in the source; the next run loads the person and the counts still hold."""
    from datetime import date

    from anonymizer.keys import parse_key
    from core.idnumbers import make_resident_id
    from pipelines.bad_rows import BASE
    from pipelines.run import run
    from vault.session import open_vault

    src = sqlite3.connect(tiny_copy.data_dir / "source" / "ops.sqlite")
    with src:
        src.execute("UPDATE insured_persons SET id_number = ?, updated_at = '2026-11-24 09:00:00' WHERE person_id = ?",
                    [make_resident_id("320213", date(1985, 3, 9), 911), BASE + 1])
    src.close()
    summary = run(tiny_copy, log=lambda m: None)
    con = open_vault(tiny_copy.data_dir, parse_key(TEST_KEY, "test"), read_only=True)
    try:
        reasons = {r[0] for r in con.execute("SELECT reason_code FROM vault.quarantine.current "
                                             "WHERE source_table = 'insured_persons'").fetchall()}
        history = con.execute("SELECT count(*) FROM vault.quarantine.history WHERE source_table = 'insured_persons' "
                              "AND source_key = ? AND reason_code = 'invalid_id_number'", [BASE + 1]).fetchone()[0]
    finally:
        con.close()
    assert "invalid_id_number" not in reasons
    assert history >= 1, "the earlier quarantine stays in the history"
    assert "invalid_id_number" not in summary.quarantined.get("insured_persons", {})
    wh = duckdb.connect(str(tiny_copy.layout.internal_path), read_only=True)
    try:
        (source_rows, loaded, quarantined, withheld), (_, loaded_before, quarantined_before, _) = wh.execute(
            "SELECT source_rows, loaded_rows, quarantined_rows, coalesce(withheld_rows, 0) FROM meta.reconciliation "
            "WHERE source_table = 'insured_persons' ORDER BY run_id = ? DESC, run_id DESC LIMIT 2",
            [summary.run_id]).fetchall()
    finally:
        wh.close()
    assert source_rows == loaded + quarantined + withheld
    assert (loaded, quarantined) == (loaded_before + 1, quarantined_before - 1)


def _latest_run_facts(settings, columns: str) -> tuple:
    """The published release's row of governance.fct_pipeline_runs for its latest run."""
    wh = duckdb.connect(str(settings.layout.warehouse_path), read_only=True)
    try:
        return wh.execute(f"SELECT {columns} FROM governance.fct_pipeline_runs WHERE is_latest_run").fetchone()
    finally:
        wh.close()


def test_a_run_that_validated_nothing_itself_still_records_the_counts_it_was_built_from(tiny_copy):
    """A rebuild (after an erasure, a rotation, retention) and `yihui pseudonymise` + `build` publish too."""
    from pipelines.run import rebuild

    summary = rebuild(tiny_copy, log=lambda m: None)
    row = _latest_run_facts(tiny_copy, "run_id, source_rows, loaded_rows, quarantined_rows, withheld_rows, reconciles")
    assert row[0] == summary.run_id
    assert None not in row and row[5] is True
    assert row[2] == sum(summary.pseudonymised.values())


def test_stage_by_stage_the_published_run_is_logged_built_with_its_counts(tiny_copy):
    for stage in ("pseudonymise", "build"):  # the key comes from the environment tiny_copy sets
        proc = subprocess.run([sys.executable, "-m", "pipelines.cli", stage, "--data-dir", str(tiny_copy.data_dir)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    wh = duckdb.connect(str(tiny_copy.layout.internal_path), read_only=True)
    try:
        status = wh.execute("SELECT m.status FROM meta.runs AS m JOIN meta.build_info AS b USING (run_id)").fetchall()
    finally:
        wh.close()
    facts = _latest_run_facts(tiny_copy, "source_rows, loaded_rows, withheld_rows, reconciles")
    assert status == [("built",)]
    assert None not in facts and facts[3] is True


def _notes(settings) -> dict[str, str | None]:
    wh = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    try:
        return dict(wh.execute("SELECT record_key, note_redacted FROM pseudo.service_records").fetchall())
    finally:
        wh.close()


def test_a_run_redacts_only_notes_whose_text_names_or_newly_known_names_changed_and_equals_a_full_redaction(
        tiny_copy):
    """Unchanged notes keep their redaction; a changed note, the notes of an account whose people
    changed name, and a note naming someone who just joined the platform are redacted again, and the
    result is what redacting every note afresh gives."""
    from anonymizer.keys import parse_key
    from pipelines.run import run
    from vault.session import open_vault

    before = _notes(tiny_copy)
    assert run(tiny_copy, log=lambda m: None).notes_redacted == 0
    assert _notes(tiny_copy) == before

    newcomer = "缪沁岚"  # nobody's name yet; the note mentions them before they join
    src = sqlite3.connect(tiny_copy.data_dir / "source" / "ops.sqlite")
    with src:
        mentions, mentions_account = src.execute(
            "SELECT record_id, account_id FROM service_records WHERE note IS NOT NULL ORDER BY record_id LIMIT 1"
        ).fetchone()
        renamed_account = src.execute(
            "SELECT account_id FROM insured_persons WHERE account_id <> ? AND account_id IN "
            "(SELECT account_id FROM service_records) ORDER BY person_id LIMIT 1", [mentions_account]).fetchone()[0]
        src.execute("UPDATE service_records SET note = note || ?, updated_at = '2026-11-24 09:00:00' "
                    "WHERE record_id = ?", [f"。朋友{newcomer}也想投保", mentions])
    first = run(tiny_copy, log=lambda m: None)
    with src:
        src.execute("UPDATE insured_persons SET name = ?, updated_at = '2026-11-24 10:00:00' WHERE person_id = "
                    "(SELECT min(person_id) FROM insured_persons WHERE account_id = ?)", [newcomer, renamed_account])
        renamed_notes = src.execute("SELECT count(*) FROM service_records WHERE account_id = ?",
                                    [renamed_account]).fetchone()[0]
    src.close()
    assert first.notes_redacted == 1
    second = run(tiny_copy, log=lambda m: None)
    assert second.notes_redacted == renamed_notes + 1  # the renamed account's notes and the note naming them
    cached = _notes(tiny_copy)
    assert not any(newcomer in n for n in cached.values() if n)

    con = open_vault(tiny_copy.data_dir, parse_key(TEST_KEY, "test"))
    try:
        redacted = con.execute("SELECT note_redacted FROM vault.ops.redacted_notes WHERE record_id = ?",
                               [mentions]).fetchone()[0]
        con.execute("DELETE FROM vault.ops.redacted_notes")
    finally:
        con.close()
    assert redacted.endswith("。朋友〔姓名〕也想投保")
    assert run(tiny_copy, log=lambda m: None).notes_redacted == len(cached)
    assert _notes(tiny_copy) == cached
