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
from pipelines import release_risk
from pipelines.build import release_as_of
from pipelines.run import open_session
from tests.heldout_attack import attack_customers, attack_policies

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
    published = _relations(settings.warehouse_path)
    assert published == release.declared_relations(settings.project_dir)
    assert not {r for r in published if r.split(".")[0] in ("pseudo", "staging", "intermediate", "audience", "meta")}


def test_the_release_carries_no_token_and_no_key_column(tiny_run):
    settings, _, _ = tiny_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
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
    assert stat.S_IMODE(settings.build_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.internal_path.stat().st_mode) == 0o600
    assert "pseudo.insured_persons" in _relations(settings.internal_path)


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
    assert {m["mart"] for m in individual} == {"profile.dim_customers", "profile.fct_policies", "profile.dim_households"}
    for m in individual:
        assert m["attacks"], m["mart"]
        for a in m["attacks"]:
            assert a["targets"] == 1000 and a["after"] < 0.01, (m["mart"], a)
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
    as_of = release_as_of(tiny_copy.warehouse_path)
    _key, con = open_session(tiny_copy)
    try:
        con.execute(f"ATTACH '{tiny_copy.warehouse_path}' AS rel (READ_ONLY)")
        for with_registration in (False, True):
            n, hit = attack_customers(con, as_of.isoformat(), with_registration=with_registration)
            assert n == 1000 and hit < 10, (with_registration, hit)
        n, hit = attack_policies(con, as_of.isoformat())
        assert n == 1000 and hit < 10, hit
        # the same attacker on the truth, before the gate: what the gate prevents
        con.execute(f"ATTACH '{tiny_copy.internal_path}' AS build (READ_ONLY)")
        con.execute("DETACH rel")
        con.execute("CREATE TEMP TABLE c AS SELECT * EXCLUDE (person_key) FROM build.intermediate.int_customer_profile")
        con.execute("ATTACH ':memory:' AS rel")
        con.execute("CREATE SCHEMA rel.profile")
        con.execute("CREATE TABLE rel.profile.dim_customers AS SELECT * FROM c")
        con.execute("CREATE SCHEMA rel.reference")
        con.execute(f"ATTACH '{tiny_copy.warehouse_path}' AS pub (READ_ONLY)")
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
    before = tiny_copy.warehouse_path.read_bytes()
    with pytest.raises(risk.RiskGateFailed, match="nothing was published"):
        rebuild(tiny_copy, log=lambda m: None)
    assert tiny_copy.warehouse_path.read_bytes() == before
    report = json.loads((release_risk.report_dir(tiny_copy) / "risk.json").read_text())
    assert not report["passed"], "the report still explains the refusal"


def test_the_release_date_is_readable_from_the_release(tiny_run):
    settings, _, summary = tiny_run
    assert release_as_of(settings.warehouse_path) == summary.as_of


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


def _readme_questions() -> list[str]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = text.split("Example questions:", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [q.strip() for q in block.split(";") if q.strip()]


def test_the_readmes_example_questions_run_on_the_release_and_answer_something(tiny_run):
    settings, _, _ = tiny_run
    questions = _readme_questions()
    assert len(questions) == 3
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        answers = [con.execute(q).fetchall() for q in questions]  # each runs on the release as published
        by_band = {band: rate for band, rate, _ in answers[0]}
        assert len([b for b in by_band if b != "*"]) >= 2, "renewal by age band keeps age groups, even on tiny"
        assert all(0 <= rate <= 1 for rate in by_band.values())
        assert answers[2], "weekly successful payments: some cells are large enough to show"
    finally:
        con.close()


def test_the_published_bytes_hold_no_untreated_value_the_gate_generalised(tiny_run):
    """DuckDB leaves freed blocks in a file: the release is compacted after the gate rewrote it, so
    the registration days dbt first wrote there cannot be carved out of the published bytes."""
    settings, _, _ = tiny_run
    with duckdb.connect(str(settings.internal_path), read_only=True) as build:
        days = {d for (d,) in build.execute(
            "SELECT DISTINCT registered_period FROM intermediate.int_customer_profile").fetchall()}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as rel:
        shown = {v for (v,) in rel.execute("SELECT DISTINCT registered_period FROM profile.dim_customers").fetchall()}
    assert not (days & shown), "on tiny the gate generalises the registration day away"
    data = settings.warehouse_path.read_bytes()
    assert len(days) > 100 and not [d for d in days if d.encode() in data]
