"""What the release is: its models, their columns' privacy classes, the relations it may hold.

One definition, read from the dbt project: a mart folder or a seed configured
``+database: release`` in ``dbt_project.yml`` is released.  Each column of a released model declares
in its YAML ``meta.privacy`` one class:

* ``key`` — a join token.  The release carries none: a key would join relations
  into one profile per person, so the build refuses it;
* ``quasi_identifier`` — something the README's adversary may know (dates and
  durations included); the gate generalises and suppresses these, the ones with
  a higher ``weight`` (default 1: how much analysts lose when it is generalised)
  last;
* ``sensitive`` — PIPL Art. 28 data, only in aggregates (a dbt test holds that);
* ``attribute`` — not identifying, with ``reason`` saying why in one line.

The gate (``risk.py``) takes its quasi-identifiers from these classes, so what
is declared and what is judged cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from anonymizer.errors import AnonymizerError

CLASSES = ("key", "quasi_identifier", "sensitive", "attribute")
RELEASE = "release"


class UnclassifiedColumns(AnonymizerError):
    """A released model has a column without a valid privacy class (or an attribute without a reason)."""


@dataclass(frozen=True)
class ReleasedModel:
    schema: str
    name: str
    columns: dict[str, str]  # column -> privacy class, in YAML order
    meta: dict
    weights: dict[str, float]  # quasi-identifier -> utility weight (meta.weight, default 1)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    def of_class(self, cls: str) -> tuple[str, ...]:
        return tuple(c for c, k in self.columns.items() if k == cls)


def _project(project_dir: Path) -> dict:
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text())


def released_folders(project_dir: Path) -> list[str]:
    marts = _project(project_dir)["models"]["yihui"]["marts"]
    return sorted(k for k, v in marts.items() if isinstance(v, dict) and v.get("+database") == RELEASE)


def released_seeds(project_dir: Path) -> list[str]:
    seeds = _project(project_dir)["seeds"]["yihui"]
    return sorted(name for name, cfg in seeds.items() if isinstance(cfg, dict) and cfg.get("+database") == RELEASE)


def _raw_models(project_dir: Path) -> list[tuple[str, dict]]:
    out = []
    for folder in released_folders(project_dir):
        for path in sorted((project_dir / "models" / "marts" / folder).glob("*.yml")):
            for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
                out.append((folder, model))
    return out


def released_models(project_dir: Path) -> list[ReleasedModel]:
    return [ReleasedModel(folder, m["name"],
                          {c["name"]: (c.get("meta") or {}).get("privacy") for c in m.get("columns", [])},
                          m.get("config", {}).get("meta", {}),
                          {c["name"]: float((c.get("meta") or {}).get("weight", 1)) for c in m.get("columns", [])
                           if (c.get("meta") or {}).get("privacy") == "quasi_identifier"})
            for folder, m in _raw_models(project_dir)]


def declared_relations(project_dir: Path) -> set[str]:
    """Every relation the published file may hold: released models and the reference seeds."""
    return ({m.relation for m in released_models(project_dir)}
            | {f"reference.{s}" for s in released_seeds(project_dir)})


def classification_problems(project_dir: Path) -> list[str]:
    problems = []
    for folder, model in _raw_models(project_dir):
        name = f"{folder}.{model['name']}"
        if not model.get("columns"):
            problems.append(f"{name} documents no columns")
        for col in model.get("columns", []):
            meta = col.get("meta") or {}
            cls = meta.get("privacy")
            where = f"{name}.{col['name']}"
            if cls not in CLASSES:
                problems.append(f"{where} has no privacy class (meta.privacy: one of {', '.join(CLASSES)})")
            elif cls == "attribute" and not str(meta.get("reason") or "").strip():
                problems.append(f"{where} is an attribute without a reason")
            elif cls == "key":
                problems.append(f"{where} is a join key: the release carries none")
        if "key_reason" not in model.get("config", {}).get("meta", {}):
            problems.append(f"{name} does not say why it carries no key (meta.key_reason)")
    return problems


def check_classes(project_dir: Path) -> None:
    """Refuse the build when a released column is unclassified: before dbt writes anything."""
    problems = classification_problems(project_dir)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise UnclassifiedColumns("the release is not built: " + "; ".join(problems[:5]) + more)


@dataclass(frozen=True)
class Mart:
    schema: str
    name: str
    quasi_identifiers: tuple[str, ...]
    columns: tuple[str, ...] = ()
    release: str = "analysts"  # analysts | shared
    truth: str | None = None  # individual-level: the build-database model it is released from
    truth_key: str | None = None  # the token in ``truth`` that is one person (or household)
    cell_count: str | None = None  # aggregates: the column counting people in a cell
    weights: tuple[tuple[str, float], ...] = ()  # quasi-identifier -> utility weight (default 1)
    withhold_suppressed: bool = False  # suppressed rows left out of the release, not starred
    redacted_text: tuple[str, ...] = ()  # columns of redacted free text (placeholders)

    def weight(self, qi: str) -> float:
        return dict(self.weights).get(qi, 1.0)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def individual_level(self) -> bool:
        return self.truth is not None


def load_marts(project_dir: Path) -> list[Mart]:
    """Every released mart the gate judges (the public, masked lottery list is published by §三.(三))."""
    marts = []
    for m in released_models(project_dir):
        release = m.meta.get("release", "analysts")
        if release == "public" or not (m.meta.get("truth") or m.meta.get("cell_count")):
            continue
        text = m.meta.get("redacted_text") or ()
        marts.append(Mart(m.schema, m.name, m.of_class("quasi_identifier"), tuple(m.columns), release,
                          m.meta.get("truth"), m.meta.get("truth_key"), m.meta.get("cell_count"),
                          tuple(m.weights.items()), m.meta.get("suppressed_rows", "starred") == "withheld",
                          (text,) if isinstance(text, str) else tuple(text)))
    return marts


