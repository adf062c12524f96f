"""Re-identification risk: every release meets its thresholds, the attacks work, the gate stops a bad mart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from anonymizer import risk, tokens
from pipelines import release_risk
from pipelines.run import open_session
from tests.browser import rendered_dom

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]

DETAILED = risk.Mart("profile", "dim_customers_detailed", ("birth_date", "sex", "district_name"),
                     key="person_key", unit="person_key")


def _report(settings) -> dict:
    return json.loads((release_risk.report_dir(settings) / "risk.json").read_text())


def test_every_mart_of_a_published_tiny_run_meets_its_thresholds(tiny_run):
    settings, _, summary = tiny_run
    report = _report(settings)
    assert report["passed"] and report["run_id"] == summary.run_id
    assessed = {m["mart"]: m for m in report["marts"]}
    declared = {m.relation for m in risk.load_marts(settings.project_dir)}
    assert set(assessed) == declared and "profile.dim_customers" in declared
    for m in assessed.values():
        assert m["after"]["k"] >= m["k_required"], m["mart"]
        assert m["k_required"] == (5 if m["release"] == "analysts" else 10)
        assert m["after"]["sample_unique_share"] == 0
    customers = assessed["profile.dim_customers"]
    assert customers["attacks"]["linkage_targets"] == 1000
    assert customers["attacks"]["linkage_rate"] < 0.01
    assert customers["before"]["k"] < 5, "tiny is small enough that the raw QIs single people out"
    assert customers["actions"], "so the gate must have generalised or suppressed"


def test_published_marts_hold_what_the_gate_treated(tiny_run):
    """The treatment is in the published warehouse itself: no class below k there either."""
    settings, _, _ = tiny_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        for mart in risk.load_marts(settings.project_dir):
            if mart.cell_count:
                continue
            cols = ", ".join(mart.quasi_identifiers)
            size = f"count(DISTINCT {mart.unit})" if mart.unit else "count(*)"
            smallest = con.execute(
                f"SELECT min(f) FROM (SELECT {size} AS f FROM {mart.relation} "
                f"WHERE {risk.not_suppressed(mart.quasi_identifiers)} "
                f"GROUP BY {cols})").fetchone()[0]
            assert smallest is None or smallest >= (5 if mart.release == "analysts" else 10), mart.relation
    finally:
        con.close()


def _add_detailed_mart(settings, warehouse) -> None:
    """An over-detailed mart (full birth date + district) built from the vault, as a careless model would."""
    key, con = open_session(settings)
    try:
        tokens.install_macros(con, key)
        con.execute(f"ATTACH '{warehouse}' AS wh")
        risk.create_population(con, date(2026, 11, 20))
        con.execute("CREATE OR REPLACE TABLE wh.profile.dim_customers_detailed AS "
                    "SELECT person_key, birth_date, sex, district_name, city_name FROM risk_population")
    finally:
        con.close()


def test_linkage_attack_re_identifies_people_in_an_ungeneralised_copy(tiny_copy):
    _add_detailed_mart(tiny_copy, tiny_copy.warehouse_path)
    res = release_risk.assess(tiny_copy, tiny_copy.warehouse_path, "t", date(2026, 11, 20), treat=False,
                              marts=[DETAILED])
    (r,) = res.reports
    assert r.attacks.linkage_targets == 1000
    assert r.attacks.linkage_rate > 0.5, "birth date + sex + district single most people out"
    assert r.attacks.linkage_correct_unique <= r.attacks.linkage_unique_matches
    assert r.after.k == 1 and r.after.sample_unique_share > 0.5
    assert r.attacks.singling_out_risk > 0.5
    assert any("linkage attack" in f for f in r.failures) and any(f.startswith("k = 1") for f in r.failures)


def test_the_gate_catches_an_over_detailed_mart_it_cannot_repair(tiny_copy):
    """Birth date has no hierarchy: after generalising the rest, suppression would exceed its limit."""
    _add_detailed_mart(tiny_copy, tiny_copy.warehouse_path)
    res = release_risk.assess(tiny_copy, tiny_copy.warehouse_path, "t", date(2026, 11, 20), treat=True,
                              marts=[DETAILED])
    (r,) = res.reports
    assert r.levels["district_name"] == risk.depth("district_name") and r.levels["sex"] == 1
    assert any("suppressed" in f for f in r.failures)
    with pytest.raises(risk.RiskGateFailed, match="dim_customers_detailed"):
        risk.gate(res.reports)


def test_a_failing_risk_gate_leaves_the_published_warehouse_untouched(tiny_copy, monkeypatch):
    from pipelines.run import rebuild

    strict = risk.Policy(k_analysts=100_000, k_shared=100_000, max_suppression=0.0, linkage_max_rate=0.01,
                         linkage_sample=100, attacks=50)
    monkeypatch.setattr(risk, "load_policy", lambda project_dir: strict)
    before = tiny_copy.warehouse_path.read_bytes()
    with pytest.raises(risk.RiskGateFailed, match="nothing was published"):
        rebuild(tiny_copy, log=lambda m: None)
    assert tiny_copy.warehouse_path.read_bytes() == before
    assert not _report(tiny_copy)["passed"], "the report still explains the refusal"


def test_risk_report_command_measures_the_published_warehouse(tiny_copy):
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "risk", "report", "--data-dir", str(tiny_copy.data_dir)],
                          check=False, capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "profile.dim_customers" in proc.stdout and "every mart meets its thresholds" in proc.stdout
    report = _report(tiny_copy)
    assert report["passed"] and all(m["actions"] == [] for m in report["marts"]), "a report does not treat"


def test_the_html_report_renders_its_charts_in_headless_chromium(tiny_run, tmp_path):
    settings, _, _ = tiny_run
    dom = rendered_dom(release_risk.report_dir(settings) / "risk.html", tmp_path / "profile")
    assert 'data-rendered="true"' in dom
    assert dom.count("<rect") >= 3 * len(_report(settings)["marts"]), "risk bars and class-size histograms"
    assert "profile.dim_customers" in dom and "every mart meets its thresholds" in dom
