"""The dbt privacy tests really fail the build: a deliberately bad model is caught.

Each case copies the dbt project, adds one offending model and runs only the
graph test that must catch it (the tests inspect dbt's graph, so an empty
warehouse is enough).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipelines.build import run_dbt
from pipelines.errors import BuildFailed
from tests.conftest import make_settings

pytestmark = [pytest.mark.dbt, pytest.mark.privacy]
PROJECT = Path(__file__).resolve().parents[2]


def _project_with(tmp_path: Path, path: str, sql: str, yml: str = "") -> Path:
    project = tmp_path / "project"
    for part in ("models", "macros", "seeds", "profiles"):
        shutil.copytree(PROJECT / part, project / part)
    shutil.copytree(PROJECT / "tests" / "dbt", project / "tests" / "dbt")
    shutil.copy(PROJECT / "dbt_project.yml", project)
    (project / path).write_text(sql)
    if yml:
        (project / path).with_suffix(".yml").write_text(yml)
    return project


def _run_test(tmp_path, monkeypatch, project: Path, test: str) -> None:
    monkeypatch.setenv("YIHUI_PROJECT_DIR", str(project))
    settings = make_settings(tmp_path / "data")
    run_dbt(settings, tmp_path / "empty.duckdb", date(2026, 11, 20), ["test", "--select", test])


def test_an_audience_with_health_data_upstream_fails_the_build(tmp_path, monkeypatch):
    project = _project_with(
        tmp_path, "models/marts/audience/audience_chronic_patients.sql",
        "select a.account_key from {{ ref('fct_audience_features') }} as a\n"
        "cross join (select count(*) as n from {{ ref('agg_health_profile') }}) as h\n",
    )
    with pytest.raises(BuildFailed, match="assert_no_health_data_upstream_of_an_audience"):
        _run_test(tmp_path, monkeypatch, project, "assert_no_health_data_upstream_of_an_audience")


def test_the_shipped_audiences_pass_the_health_gate(tmp_path, monkeypatch):
    project = _project_with(tmp_path, "models/marts/audience/.keep", "")
    _run_test(tmp_path, monkeypatch, project, "assert_no_health_data_upstream_of_an_audience")


def test_an_individual_level_mart_declaring_a_sensitive_column_fails_the_build(tmp_path, monkeypatch):
    project = _project_with(
        tmp_path, "models/marts/profile/dim_patients.sql", "select 1 as n\n",
        "version: 2\nmodels:\n  - name: dim_patients\n    config:\n      meta:\n"
        "        individual_level: true\n    columns:\n      - name: pre_existing_conditions\n"
        "        meta: {privacy: sensitive}\n",
    )
    with pytest.raises(BuildFailed, match="assert_no_sensitive_column_in_an_individual_level_mart"):
        _run_test(tmp_path, monkeypatch, project, "assert_no_sensitive_column_in_an_individual_level_mart")


LEAKY_MART = """\
select 'ac_0123456789abcdef0123456789abcdef' as account_key, '请回电 13912345678' as note, 'ok' as plain,
  'ok' as short_mail, 'ok' as bare_ip
union all
select 'ac_12345', '身份证 32021119900101123X', 'ok', 'ok', 'ok'
union all
select 'ac_0123456789abcdef0123456789abcdef', 'mail: zhang.san@example.com', 'from 10.2.3.4 today', 'ok', 'ok'
union all
select 'ac_0123456789abcdef0123456789abcdef', 'ok', 'ok', 'a@b.cc', '1.2.3.4'
"""


def test_a_mart_holding_raw_identifiers_or_malformed_tokens_fails_the_build(tmp_path, monkeypatch):
    project = _project_with(
        tmp_path, "models/marts/profile/dim_leaky.sql", LEAKY_MART,
        "version: 2\nmodels:\n  - name: dim_leaky\n    data_tests: [no_raw_identifiers]\n",
    )
    monkeypatch.setenv("YIHUI_PROJECT_DIR", str(project))
    settings = make_settings(tmp_path / "data")
    with pytest.raises(BuildFailed, match="no_raw_identifiers_dim_leaky"):
        run_dbt(settings, tmp_path / "empty.duckdb", date(2026, 11, 20), ["build", "--select", "dim_leaky"])
    failures = (settings.data_dir / "dbt" / "target" / "run_results.json").read_text()
    # account_key (shape), note (mobile, ID, e-mail), plain (IPv4), and the shortest e-mail and address
    # the scan's cheap prefilter (6 characters, an '@' or 4 digits) must still let through
    assert '"failures": 5' in failures


def test_tokens_dates_and_digit_runs_that_are_not_identifiers_pass_the_raw_identifier_scan(tmp_path, monkeypatch):
    project = _project_with(
        tmp_path, "models/marts/profile/dim_clean.sql",
        "select 'ac_0123456789abcdef0123456789abcdef' as account_key, '2026-11-20' as day, "
        "'订单 2026112000001' as note, '40-49' as age_band\n",
        "version: 2\nmodels:\n  - name: dim_clean\n    data_tests: [no_raw_identifiers]\n",
    )
    monkeypatch.setenv("YIHUI_PROJECT_DIR", str(project))
    run_dbt(make_settings(tmp_path / "data"), tmp_path / "empty.duckdb", date(2026, 11, 20),
            ["build", "--select", "dim_clean"])


def test_every_pseudonymised_source_and_every_mart_is_scanned_for_raw_identifiers():
    import yaml

    undeclared = []
    for path in [*(PROJECT / "models" / "marts").rglob("*.yml"), PROJECT / "models/staging/ops/_ops__sources.yml"]:
        doc = yaml.safe_load(path.read_text()) or {}
        relations = doc.get("models", []) + [t for s in doc.get("sources", []) if s["name"] == "ops" for t in s["tables"]]
        for rel in relations:
            if "no_raw_identifiers" not in [t if isinstance(t, str) else next(iter(t)) for t in rel.get("data_tests", [])]:
                undeclared.append(rel["name"])
    assert not undeclared
