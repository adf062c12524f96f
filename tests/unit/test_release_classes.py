"""Every released column declares what it is, and the adversary's knowledge is declared as such."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from anonymizer import attacks, release

PROJECT = Path(__file__).resolve().parents[2]


def test_every_released_column_has_a_privacy_class_and_every_mart_says_why_it_has_no_key():
    assert release.classification_problems(PROJECT) == []
    models = release.released_models(PROJECT)
    assert {"profile.dim_customers", "profile.fct_policies", "governance.fct_pipeline_runs"} <= {
        m.relation for m in models}
    assert not [m.relation for m in models if m.of_class("key")]


def test_what_the_adversary_knows_is_declared_a_quasi_identifier_wherever_it_is_released():
    """The gate generalises only declared quasi-identifiers: a column the adversary knows but that
    is declared an attribute would be released exactly and attacked with success."""
    known = attacks.load_adversary().known_columns
    for m in release.released_models(PROJECT):
        if m.meta.get("individual_level"):
            wrong = [c for c, cls in m.columns.items() if c in known and cls != "quasi_identifier"]
            assert not wrong, f"{m.relation}: {wrong}"


def test_the_release_has_the_reference_seeds_analysts_join_and_not_the_operational_ones():
    seeds = release.released_seeds(PROJECT)
    assert {"age_bands", "regions", "calendar"} <= set(seeds)
    assert "retention_policy" not in seeds and "ip_networks" not in seeds


def _project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns(".venv*", ".git", "data", "target", "logs",
                                                                    "regions.csv", "calendar.csv", "__pycache__"))
    return copy


@pytest.mark.parametrize("meta, message", [
    (None, "has no privacy class"),
    ({"privacy": "identifying"}, "has no privacy class"),
    ({"privacy": "attribute"}, "is an attribute without a reason"),
    ({"privacy": "key"}, "is a join key: the release carries none"),
])
def test_a_badly_classified_released_column_stops_the_build_before_dbt_runs(tmp_path, meta, message):
    project = _project_copy(tmp_path)
    path = project / "models" / "marts" / "profile" / "dim_customers.yml"
    doc = yaml.safe_load(path.read_text())
    column = doc["models"][0]["columns"][-1]
    column.pop("meta", None)
    if meta is not None:
        column["meta"] = meta
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    with pytest.raises(release.UnclassifiedColumns, match=f"profile.dim_customers.{column['name']} {message}"):
        release.check_classes(project)


def test_the_gate_reads_its_quasi_identifiers_from_the_classes():
    customers = next(m for m in release.load_marts(PROJECT) if m.relation == "profile.dim_customers")
    declared = next(m for m in release.released_models(PROJECT) if m.relation == "profile.dim_customers")
    assert customers.quasi_identifiers == declared.of_class("quasi_identifier")
    assert customers.weight("age_band") > customers.weight("registered_period")
