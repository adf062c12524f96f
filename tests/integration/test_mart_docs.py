"""Every mart is documented the way analysts rely on: meta, and a description for every built column."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from anonymizer import release

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]
MARTS = Path(__file__).resolve().parents[2] / "models" / "marts"
REQUIRED_META = {"owner", "grain", "privacy_class", "individual_level"}


def _documented() -> dict[str, dict]:
    models = {}
    for path in MARTS.rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            models[model["name"]] = model
    return models


def test_every_mart_declares_owner_grain_and_privacy_class():
    """Released marts also say why they carry no key (their columns' classes: tests/unit/test_release_classes)."""
    released = {m.name for m in release.released_models(MARTS.parents[1])}
    for name, model in _documented().items():
        meta = model.get("config", {}).get("meta", {})
        required = REQUIRED_META | ({"key_reason"} if name in released else set())
        assert required <= set(meta), (name, required - set(meta))


def test_every_column_of_every_built_mart_has_a_description(tiny_run):
    settings, _, summary = tiny_run
    documented = _documented()
    con = duckdb.connect(str(settings.layout.warehouse_path), read_only=True)
    try:
        for mart in summary.marts:
            schema, table = mart.split(".")
            built = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [schema, table]).fetchall()]
            described = {c["name"]: c.get("description") for c in documented[table].get("columns", [])}
            missing = [c for c in built if not described.get(c)]
            assert not missing, (mart, missing)
    finally:
        con.close()
