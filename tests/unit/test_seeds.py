"""Seeds load on every engine the project builds on."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.csv"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_no_seed_value_holds_a_single_quote_which_dbt_spark_inserts_unescaped(seed):
    assert "'" not in seed.read_text(encoding="utf-8")
