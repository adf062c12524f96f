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
        tmp_path, "models/marts/profile/dim_patients.sql", "select 1 as person_key\n",
        "version: 2\nmodels:\n  - name: dim_patients\n    config:\n      meta:\n"
        "        individual_level: true\n        sensitive: [pre_existing_conditions]\n",
    )
    with pytest.raises(BuildFailed, match="assert_no_sensitive_column_in_an_individual_level_mart"):
        _run_test(tmp_path, monkeypatch, project, "assert_no_sensitive_column_in_an_individual_level_mart")
