"""Audience definitions: version-controlled YAML, checked before anything runs.

Why so strict: a definition is the only place a marketer says who may receive
a promotion.  A typo in a field name must not silently widen an audience, and
a filter on health data must be impossible (PIPL Art. 28), so every mistake
is an error naming the file and the line.

The fields a filter may use are the columns of the audience marts as their
dbt YAML declares them (one definition), minus the sensitive columns listed
in ``dbt_project.yml`` (``vars.sensitive_columns``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from audiences.errors import DefinitionError
from core.layout import PROJECT

DEFINITIONS_DIR = PROJECT.audiences_dir
CHANNELS = ("wechat", "sms")
PURPOSES = ("promotion",)
OPERATORS = {"equals": "=", "not_equals": "<>", "at_least": ">=", "at_most": "<=", "in": "IN"}
FEATURE_MODELS = ("fct_audience_features", "fct_contactable_adults")
NOT_FILTERABLE = {"account_key", "person_key", "channel", "is_contactable", "suppression_reason", "as_of_date"}
KEYS = {
    "name": True, "description": True, "owner": True, "channel": True, "purpose": True, "filters": True,
    "priority": True, "holdout_share": True, "frequency_cap": True, "minimum_size": True, "refresh": True,
}
REFRESH = ("daily", "weekly", "monthly")
NAME = re.compile(r"^[a-z][a-z0-9_]{2,62}$")


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any

    def sql(self) -> str:
        if self.op == "in":
            return f"{self.field} IN ({', '.join(_literal(v) for v in self.value)})"
        return f"{self.field} {OPERATORS[self.op]} {_literal(self.value)}"


@dataclass(frozen=True)
class FrequencyCap:
    messages: int
    days: int


@dataclass(frozen=True)
class Audience:
    name: str
    description: str
    owner: str
    channel: str
    purpose: str
    filters: tuple[Filter, ...]
    priority: int
    holdout_share: float
    frequency_cap: FrequencyCap
    minimum_size: int
    refresh: str
    path: Path = field(compare=False)

    @property
    def version(self) -> str:
        """Content hash of the definition: exports and snapshots name the version they used."""
        body = json.dumps({k: v for k, v in self.__dict__.items() if k != "path"}, default=_plain, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def where(self) -> str:
        return " AND ".join(f.sql() for f in self.filters) or "TRUE"


def _plain(value: Any) -> Any:
    return value.__dict__ if hasattr(value, "__dict__") else str(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@lru_cache(maxsize=1)
def sensitive_columns() -> frozenset[str]:
    project = yaml.safe_load(PROJECT.dbt_project_file.read_text())
    return frozenset(project["vars"]["sensitive_columns"])


@lru_cache(maxsize=1)
def _feature_columns() -> dict[str, tuple[str, str]]:
    """Field → (the mart that holds it, its contracted data type), from the marts' dbt YAML."""
    fields: dict[str, tuple[str, str]] = {}
    for path in (PROJECT.root / "models" / "marts" / "audience").glob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            if model["name"] in FEATURE_MODELS:
                for column in model.get("columns", []):
                    if column["name"] not in NOT_FILTERABLE:
                        fields.setdefault(column["name"], (model["name"], str(column.get("data_type", "string"))))
    return fields


def filterable_fields() -> dict[str, str]:
    """Field → the mart that holds it."""
    return {name: mart for name, (mart, _) in _feature_columns().items()}


def _fits(value: Any, data_type: str) -> bool:
    """A YAML value the column's type takes as is (no cast left for DuckDB to fail on at refresh)."""
    kind = data_type.lower()
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("bigint", "integer", "int", "smallint", "hugeint") or kind.startswith(("decimal", "numeric")):
        return isinstance(value, int | float) and not isinstance(value, bool) and (
            isinstance(value, int) or kind.startswith(("decimal", "numeric")))
    if kind in ("double", "float", "real"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "date":
        import datetime as dt

        if isinstance(value, dt.date):
            return True
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return False
        return isinstance(value, str)
    return isinstance(value, str)


def _lines(node: yaml.Node) -> dict[str, int]:
    """Line (1-based) of each top-level key and of each filter item, for messages."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[key.value] = key.start_mark.line + 1
            if key.value == "filters" and isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    lines[f"filters[{i}]"] = item.start_mark.line + 1
    return lines


def parse(path: Path) -> Audience:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DefinitionError(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML") from None
    if not isinstance(data, dict):
        raise DefinitionError(f"{path}:1: an audience definition is a mapping of settings")
    lines = _lines(node)

    def fail(key: str, message: str) -> DefinitionError:
        return DefinitionError(f"{path}:{lines.get(key, 1)}: {message}")

    for key in data:
        if key not in KEYS:
            raise fail(key, f"unknown setting {key!r} (known: {', '.join(KEYS)})")
    for key in KEYS:
        if key not in data:
            raise DefinitionError(f"{path}:1: missing setting {key!r}")
    name = str(data["name"])
    if not NAME.match(name):
        raise fail("name", f"name {name!r} must be lower_snake_case")
    if name != path.stem:
        raise fail("name", f"name {name!r} must match the file name {path.stem!r}")
    if data["channel"] not in CHANNELS:
        raise fail("channel", f"unknown channel {data['channel']!r} (known: {', '.join(CHANNELS)})")
    if data["purpose"] not in PURPOSES:
        raise fail("purpose", f"unknown purpose {data['purpose']!r} (known: {', '.join(PURPOSES)})")
    if data["refresh"] not in REFRESH:
        raise fail("refresh", f"unknown refresh cadence {data['refresh']!r} (known: {', '.join(REFRESH)})")
    share = data["holdout_share"]
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share < 1:
        raise fail("holdout_share", "holdout_share must be a number from 0 up to (not including) 1")
    for key in ("priority", "minimum_size"):
        if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 0:
            raise fail(key, f"{key} must be a whole number ≥ 0")
    cap = data["frequency_cap"]
    if not (isinstance(cap, dict) and set(cap) == {"messages", "days"}
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in cap.values())):
        raise fail("frequency_cap", "frequency_cap needs whole numbers `messages` and `days` (both > 0)")
    if not isinstance(data["filters"], list):
        raise fail("filters", "filters is a list of {field, <operator>: value}")
    filters = tuple(_filter(item, lines.get(f"filters[{i}]", lines.get("filters", 1)), path)
                    for i, item in enumerate(data["filters"]))
    return Audience(name, str(data["description"]).strip(), str(data["owner"]), data["channel"], data["purpose"],
                    filters, data["priority"], float(share), FrequencyCap(cap["messages"], cap["days"]),
                    data["minimum_size"], data["refresh"], path)


def _filter(item: Any, line: int, path: Path) -> Filter:
    if not isinstance(item, dict) or "field" not in item or len(item) != 2:
        raise DefinitionError(f"{path}:{line}: a filter is {{field: <name>, <operator>: <value>}}")
    name = item["field"]
    op = next(k for k in item if k != "field")
    if name in sensitive_columns():
        raise DefinitionError(
            f"{path}:{line}: {name!r} is sensitive personal information (PIPL Art. 28): "
            "health data never drives an audience"
        )
    fields = filterable_fields()
    if name not in fields:
        raise DefinitionError(f"{path}:{line}: unknown field {name!r} (known: {', '.join(sorted(fields))})")
    if op not in OPERATORS:
        raise DefinitionError(f"{path}:{line}: unknown operator {op!r} (known: {', '.join(OPERATORS)})")
    value = item[op]
    if op == "in" and not (isinstance(value, list) and value):
        raise DefinitionError(f"{path}:{line}: `in` takes a non-empty list")
    data_type = _feature_columns()[name][1]
    wrong = [v for v in (value if op == "in" else [value]) if not _fits(v, data_type)]
    if wrong:
        raise DefinitionError(f"{path}:{line}: {name!r} is {_a(data_type)}, not {wrong[0]!r}")
    return Filter(name, op, value)


def _a(data_type: str) -> str:
    kind = data_type.lower()
    words = {"boolean": "true or false", "bigint": "a whole number", "date": "a date (YYYY-MM-DD)",
             "double": "a number", "string": "text"}
    return words.get(kind, f"of type {data_type}")


def load_all(directory: Path = DEFINITIONS_DIR) -> list[Audience]:
    """Every definition, highest priority first; names must be unique, priorities distinct."""
    audiences = [parse(p) for p in sorted(directory.glob("*.yml"))]
    seen: dict[int, str] = {}
    for a in audiences:
        if a.priority in seen:
            raise DefinitionError(f"{a.path}:1: priority {a.priority} is also {seen[a.priority]!r}'s: "
                                  "priorities decide who wins a person, so they must differ")
        seen[a.priority] = a.name
    return sorted(audiences, key=lambda a: -a.priority)


def get(name: str, directory: Path = DEFINITIONS_DIR) -> Audience:
    for a in load_all(directory):
        if a.name == name:
            return a
    raise DefinitionError(f"no audience named {name!r} in {directory}")
