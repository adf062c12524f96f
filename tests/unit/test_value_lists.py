"""Value lists are defined once (relationships in core/schema.py, ID types in core/idnumbers.py);
the GX suites, the dbt YAML and the SQL that filters on them agree with that definition."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from core.idnumbers import ID_TYPES, RESIDENT_ID
from core.schema import RELATIONSHIPS

PROJECT = Path(__file__).resolve().parents[2]
SQL = [p for folder in ("models", "macros", "anonymizer/sql", "tests/dbt") for p in (PROJECT / folder).rglob("*.sql")]


def _suite_sets(column: str) -> list[list]:
    found = []
    for path in (PROJECT / "expectations" / "suites").glob("*.json"):
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column:
                found.append(e["kwargs"]["value_set"])
    return found


def _yaml_accepted(column: str) -> list[list]:
    found = []
    for path in (PROJECT / "models").rglob("*.yml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models", []):
            for col in model.get("columns", []):
                if col["name"] != column:
                    continue
                for test in col.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"]
                        found.append(spec.get("arguments", spec)["values"])
    return found


def _literals(column: str) -> set[str]:
    pattern = re.compile(rf"\b{column}\s*(?:=|<>|!=)\s*'([^']+)'")
    return {v for path in SQL for v in pattern.findall(path.read_text(encoding="utf-8"))}


def test_the_gx_suite_checks_exactly_the_relationships_of_the_schema():
    sets = _suite_sets("relationship")
    assert sets and all(list(s) == list(RELATIONSHIPS) for s in sets)


def test_the_dbt_yaml_accepts_exactly_the_relationships_of_the_schema():
    accepted = _yaml_accepted("relationship")
    assert accepted and all(list(a) == list(RELATIONSHIPS) for a in accepted)


def test_every_relationship_the_sql_names_is_one_of_the_schema():
    named = _literals("relationship")
    assert named and named <= set(RELATIONSHIPS)


def test_every_id_type_the_sql_names_is_one_of_the_id_types():
    named = _literals("id_type")
    assert RESIDENT_ID in named and named <= set(ID_TYPES)
    for sets in (_suite_sets("id_type"), _yaml_accepted("id_type")):
        assert all(set(s) <= set(ID_TYPES) for s in sets)
