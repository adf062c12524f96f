"""The release analysts receive: only assessed relations, no join key, a locked shell, attacks that fail."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import duckdb
import pytest

from anonymizer import release, risk
from anonymizer.redact import PLACEHOLDERS
from pipelines import release_risk
from pipelines.build import release_as_of
from tests.heldout_attack import attack_customers, attack_policies
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]
TOKEN = re.compile(r"^[a-z]{2,3}_[0-9a-f]{32}$")


def _relations(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    finally:
        con.close()


def test_the_published_file_holds_exactly_the_declared_release(tiny_run):
    settings, _, _ = tiny_run
    published = _relations(settings.layout.warehouse_path)
    assert published == release.declared_relations(settings.project_dir)
    assert not {r for r in published if r.split(".")[0] in ("pseudo", "staging", "intermediate", "audience", "meta")}


def test_the_release_carries_no_token_and_no_key_column(tiny_run):
    settings, _, _ = tiny_run
    con = duckdb.connect(str(settings.layout.warehouse_path), read_only=True)
    try:
        columns = con.execute("SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
                              "WHERE NOT internal").fetchall()
        assert not [c for c in columns if c[2].endswith("_key")]
        for schema, table, column, dtype in columns:
            if dtype == "VARCHAR":
                values = con.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" '
                                     f"WHERE length(\"{column}\") = 36 OR length(\"{column}\") = 35").fetchall()
                assert not [v for (v,) in values if v and TOKEN.match(v)], f"{schema}.{table}.{column}"
    finally:
        con.close()


def test_the_build_database_stays_owner_only_beside_the_release(tiny_run):
    settings, _, _ = tiny_run
    assert stat.S_IMODE(settings.layout.build_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.layout.internal_path.stat().st_mode) == 0o600
    assert "pseudo.insured_persons" in _relations(settings.layout.internal_path)


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--data-dir", str(settings.data_dir)],
                          check=False, capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"})


@pytest.mark.parametrize("query", [
    "select * from read_text('{data}/keys/master.key')",
    "select * from read_csv('{data}/source/../keys/master.key')",
    "copy (select 1) to '{data}/copy.csv'",
    "attach '{data}/build/internal.duckdb' as b",
    "set enable_external_access = true",
])
def test_the_sql_shell_cannot_reach_the_file_system(tiny_copy, query):
    proc = _cli(tiny_copy, "sql", query.format(data=tiny_copy.data_dir))
    assert proc.returncode == 1
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and not (tiny_copy.data_dir / "copy.csv").exists()


def test_the_sql_shell_still_queries_the_marts(tiny_run):
    settings, _, _ = tiny_run
    proc = _cli(settings, "sql", "--csv", "select age_band, count(*) as n from profile.dim_customers group by 1")
    assert proc.returncode == 0 and proc.stdout.startswith("age_band,n"), proc.stderr


def test_every_attack_of_the_suite_fails_on_the_release_and_works_on_the_untreated_marts(tiny_run):
    settings, _, summary = tiny_run
    report = json.loads((release_risk.report_dir(settings) / "risk.json").read_text())
    assert report["passed"] and report["run_id"] == summary.run_id and not report["measured_only"]
    assert "resident ID card" in report["adversary"]
    individual = [m for m in report["marts"] if m["kind"] == "individual"]
    assert {m["mart"] for m in individual} == {"profile.dim_customers", "profile.fct_policies", "profile.dim_households",
                                               "profile.fct_service_notes"}
    for m in individual:
        assert m["attacks"], m["mart"]
        for a in m["attacks"]:
            # tiny has fewer than 1,000 accounts with a note: every one of them is a target
            assert a["targets"] == min(1000, m["before"]["people"]) and a["after"] < 0.01, (m["mart"], a)
        assert m["after"]["k"] >= m["k_required"] and m["after"]["suppressed"] <= 0.05 * m["after"]["people"]
    customers = next(m for m in individual if m["mart"] == "profile.dim_customers")
    strongest = next(a for a in customers["attacks"] if a["knowledge"] == "id_card + registration")
    assert strongest["before"] > 0.5, "untreated, the ID card and the registration day single most people out"
    for m in report["marts"]:
        if m["kind"] == "aggregate":
            assert m["cells"]["smallest"] is None or m["cells"]["smallest"] >= m["k_required"], m["mart"]


def test_a_held_out_attack_from_the_raw_vault_re_identifies_nobody(tiny_copy):
    """Written apart from the gate (tests/heldout_attack.py): raw ID numbers and registration
    timestamps against the published file."""
    as_of = release_as_of(tiny_copy.layout.warehouse_path)
    _key, con = open_session(tiny_copy)
    try:
        con.execute(f"ATTACH '{tiny_copy.layout.warehouse_path}' AS rel (READ_ONLY)")
        for with_registration in (False, True):
            n, hit = attack_customers(con, as_of.isoformat(), with_registration=with_registration)
            assert n == 1000 and hit < 10, (with_registration, hit)
        n, hit = attack_policies(con, as_of.isoformat())
        assert n == 1000 and hit < 10, hit
        # the same attacker on the truth, before the gate: what the gate prevents
        con.execute(f"ATTACH '{tiny_copy.layout.internal_path}' AS build (READ_ONLY)")
        con.execute("DETACH rel")
        con.execute("CREATE TEMP TABLE c AS SELECT * EXCLUDE (person_key) FROM build.intermediate.int_customer_profile")
        con.execute("ATTACH ':memory:' AS rel")
        con.execute("CREATE SCHEMA rel.profile")
        con.execute("CREATE TABLE rel.profile.dim_customers AS SELECT * FROM c")
        con.execute("CREATE SCHEMA rel.reference")
        con.execute(f"ATTACH '{tiny_copy.layout.warehouse_path}' AS pub (READ_ONLY)")
        for seed in ("age_bands", "regions", "calendar"):
            con.execute(f"CREATE TABLE rel.reference.{seed} AS SELECT * FROM pub.reference.{seed}")
        n, hit = attack_customers(con, as_of.isoformat(), with_registration=True)
        assert hit > 500, "untreated, the held-out attack single most people out"
    finally:
        con.close()


def test_risk_report_measures_without_overwriting_the_runs_report(tiny_copy):
    run_report = release_risk.report_dir(tiny_copy) / "risk.json"
    before = run_report.read_bytes()
    proc = _cli(tiny_copy, "risk", "report")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "profile.dim_customers" in proc.stdout and "every mart meets its thresholds" in proc.stdout
    assert run_report.read_bytes() == before
    measured = json.loads((release_risk.report_dir(tiny_copy) / "measured.json").read_text())
    assert measured["measured_only"] and measured["passed"]
    assert all(m["actions"] == [] or m["actions"][0].startswith("suppressed") for m in measured["marts"])
    assert not json.loads(before)["measured_only"]


def test_the_gate_refuses_a_release_whose_attack_succeeds(tiny_copy, monkeypatch):
    """An over-detailed mart released as it is (k never reached, nothing suppressed) fails the gate."""
    from pipelines.run import rebuild

    strict = risk.Policy(k_analysts=100_000, k_shared=100_000, max_suppression=0.0, linkage_max_rate=0.01,
                         linkage_sample=1000)
    monkeypatch.setattr(risk, "load_policy", lambda project_dir: strict)
    before = tiny_copy.layout.warehouse_path.read_bytes()
    with pytest.raises(risk.RiskGateFailed, match="nothing was published"):
        rebuild(tiny_copy, log=lambda m: None)
    assert tiny_copy.layout.warehouse_path.read_bytes() == before
    report = json.loads((release_risk.report_dir(tiny_copy) / "risk.json").read_text())
    assert not report["passed"], "the report still explains the refusal"


def test_the_release_date_is_readable_from_the_release(tiny_run):
    settings, _, summary = tiny_run
    assert release_as_of(settings.layout.warehouse_path) == summary.as_of


def test_the_html_report_renders_the_adversary_attacks_and_charts_in_headless_chromium(tiny_run, tmp_path):
    from tests.browser import rendered_dom

    settings, _, _ = tiny_run
    dom = rendered_dom(release_risk.report_dir(settings) / "risk.html", tmp_path / "profile")
    report = json.loads((release_risk.report_dir(settings) / "risk.json").read_text())
    attacks = sum(len(m["attacks"]) for m in report["marts"])
    assert 'data-rendered="true"' in dom and "every mart meets its thresholds" in dom
    assert "resident ID card" in dom and "id_card + registration" in dom
    assert dom.count("<rect") >= 2 * attacks, "an untreated and a released bar per attack, and histograms"
    assert "profile.dim_customers" in dom and "generalisation loss" in dom
    assert "rows released" in dom and "profile.fct_service_notes" in dom
    assert all(kind in dom for kind in PLACEHOLDERS), "a column (and a bar) per placeholder type"


def _readme_questions() -> list[str]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = text.split("Example questions:", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [q.strip() for q in block.split(";") if q.strip()]


def test_the_readmes_example_questions_run_on_the_release_and_answer_something(tiny_run):
    settings, _, _ = tiny_run
    questions = _readme_questions()
    assert len(questions) == 4
    con = duckdb.connect(str(settings.layout.warehouse_path), read_only=True)
    try:
        answers = [con.execute(q).fetchall() for q in questions]  # each runs on the release as published
        by_band = {band: rate for band, rate, _ in answers[0]}
        assert len([b for b in by_band if b != "*"]) >= 2, "renewal by age band keeps age groups, even on tiny"
        assert all(0 <= rate <= 1 for rate in by_band.values())
        assert answers[2], "weekly successful payments: some cells are large enough to show"
        assert answers[3] and any("〔" in note for note, _ in answers[3]), "complaints, redacted, even on tiny"
    finally:
        con.close()


def test_the_published_bytes_hold_no_untreated_value_the_gate_generalised(tiny_run):
    """DuckDB leaves freed blocks in a file: the release is compacted after the gate rewrote it, so
    the registration days dbt first wrote there cannot be carved out of the published bytes."""
    settings, _, _ = tiny_run
    with duckdb.connect(str(settings.layout.internal_path), read_only=True) as build:
        days = {d for (d,) in build.execute(
            "SELECT DISTINCT registered_period FROM intermediate.int_customer_profile").fetchall()}
    with duckdb.connect(str(settings.layout.warehouse_path), read_only=True) as rel:
        shown = {v for (v,) in rel.execute("SELECT DISTINCT registered_period FROM profile.dim_customers").fetchall()}
    assert not (days & shown), "on tiny the gate generalises the registration day away"
    data = settings.layout.warehouse_path.read_bytes()
    assert len(days) > 100 and not [d for d in days if d.encode() in data]


# --- the redacted service notes (issue 17) -------------------------------------------------------

NOTES = "profile.fct_service_notes"


def _notes_report(settings) -> dict:
    report = json.loads((release_risk.report_dir(settings) / "risk.json").read_text())
    return next(m for m in report["marts"] if m["mart"] == NOTES)


def test_the_notes_are_released_with_month_kind_and_channel_only(tiny_run):
    settings, _, _ = tiny_run
    with duckdb.connect(str(settings.layout.warehouse_path), read_only=True) as con:
        columns = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'profile' "
                                             "AND table_name = 'fct_service_notes' ORDER BY column_index").fetchall()]
        blank = con.execute(f"SELECT count(*) FROM {NOTES} WHERE note_redacted IS NULL "
                            "OR trim(note_redacted) = ''").fetchone()[0]
    assert columns == ["opened_month", "contact_kind", "contact_channel", "note_redacted"], "no key of any kind"
    assert blank == 0


def test_every_released_class_of_notes_holds_k_accounts_of_the_truth(tiny_run):
    """The truth's notes, taken to the levels the gate reports, against what was published: every
    month × kind × channel shown holds at least k accounts, with all its notes (a class is withheld whole)."""
    settings, _, _ = tiny_run
    m = _notes_report(settings)
    lv = m["released_levels"]
    month = {"opened_month": "t.opened_month", "quarter": "c.quarter", "year": "c.year", "*": "'*'"}[lv["opened_month"]]
    kind = "t.contact_kind" if lv["contact_kind"] != "*" else "'*'"
    channel = "t.contact_channel" if lv["contact_channel"] != "*" else "'*'"
    con = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    try:
        con.execute(f"ATTACH '{settings.layout.warehouse_path}' AS rel (READ_ONLY)")
        rows = con.execute(f"""
            WITH truth AS (
                SELECT {month} AS opened_month, {kind} AS contact_kind, {channel} AS contact_channel, t.account_key
                FROM intermediate.int_service_notes AS t
                JOIN (SELECT DISTINCT month, quarter, year FROM rel.reference.calendar) AS c ON c.month = t.opened_month),
            classes AS (SELECT opened_month, contact_kind, contact_channel, count(DISTINCT account_key) AS accounts,
                               count(*) AS notes FROM truth GROUP BY ALL),
            shown AS (SELECT opened_month, contact_kind, contact_channel, count(*) AS notes FROM rel.{NOTES} GROUP BY ALL)
            SELECT s.notes, c.accounts, c.notes FROM shown AS s
            LEFT JOIN classes AS c USING (opened_month, contact_kind, contact_channel)""").fetchall()
        truth = con.execute("SELECT count(*) FROM intermediate.int_service_notes").fetchone()[0]
    finally:
        con.close()
    assert rows and truth > 100
    for shown, accounts, notes in rows:
        assert accounts is not None and accounts >= m["k_required"] and shown == notes, (shown, accounts, notes)
    released = sum(shown for shown, _, _ in rows)
    assert m["text"]["released"] == released and released + m["text"]["withheld"] == truth
    assert m["after"]["k"] >= m["k_required"] and m["after"]["people"] == m["before"]["people"]
    assert all(a["counted"] == "people" for a in m["attacks"]), "several notes per account: scored by account"


def test_the_risk_report_counts_the_redacted_spans_per_type_of_the_released_notes(tiny_run):
    settings, _, _ = tiny_run
    text = _notes_report(settings)["text"]
    with duckdb.connect(str(settings.layout.warehouse_path), read_only=True) as con:
        notes = [n for (n,) in con.execute(f"SELECT note_redacted FROM {NOTES}").fetchall()]
    assert set(PLACEHOLDERS) <= set(text["spans"])
    assert text["spans"] == {kind: sum(n.count(p) for n in notes) for kind, p in PLACEHOLDERS.items()}
    assert all(text["spans"][kind] > 0 for kind in ("NAME", "ID", "MOBILE", "EMAIL", "CARD", "ADDRESS", "OPENID"))
    assert sum(any(p in n for p in PLACEHOLDERS.values()) for n in notes) > len(notes) / 2, "notes carry placeholders"
    assert not any(text["residual"][kind] for kind in risk.REFUSED_RESIDUAL), text["residual"]


@pytest.mark.privacy
def test_no_raw_identifier_of_the_vault_is_in_a_released_note(tiny_run, monkeypatch):
    """The audit's needles (every identifier the vault holds, mobiles by their digits) against the
    released note text alone."""
    from anonymizer import audit
    from anonymizer.keys import load_key
    from tests.conftest import TEST_KEY
    from vault.session import open_vault

    settings, _, _ = tiny_run
    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    key = load_key(settings.data_dir)
    con = open_vault(settings.data_dir, key, read_only=True)
    try:
        audit.collect_needles(con, key)
        audit.drop_public_vocabulary(con, audit.vocabulary_files(settings.project_dir))
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM needles").fetchall()}
        assert {"name", "mobile", "id_number", "email", "openid"} <= kinds
        con.execute(f"ATTACH '{settings.layout.warehouse_path}' AS rel (READ_ONLY)")
        assert con.execute(f"SELECT count(*) FROM rel.{NOTES}").fetchone()[0] > 100
        assert audit._match(con, f"SELECT note_redacted AS s FROM rel.{NOTES}") == []
    finally:
        con.close()


def test_a_validated_identifier_left_in_a_released_note_refuses_the_release_without_showing_it(tiny_copy):
    """A mobile in a note, as if redaction had missed it: the gate, run on a copy of the tiny build
    pair, names the mart and the type, never the number, and neither does its report."""
    import shutil

    tiny_copy.layout.next_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tiny_copy.layout.internal_path, tiny_copy.layout.staging_path)
    shutil.copyfile(tiny_copy.layout.warehouse_path, tiny_copy.layout.release_staging_path)
    with duckdb.connect(str(tiny_copy.layout.staging_path)) as con:
        con.execute("UPDATE intermediate.int_service_notes SET note_redacted = note_redacted || ' 回电13812345678' "
                    "WHERE record_key = (SELECT min(record_key) FROM intermediate.int_service_notes)")
    result = release_risk.assess(tiny_copy, "test", release_as_of(tiny_copy.layout.warehouse_path), treat=True)
    with pytest.raises(risk.RiskGateFailed, match=r"profile\.fct_service_notes: .*1 MOBILE identifier") as refused:
        risk.gate(result.reports)
    assert "13812345678" not in str(refused.value)
    for path in (result.json_path, result.html_path):
        assert "13812345678" not in path.read_text()
    assert not json.loads(result.json_path.read_text())["passed"]
