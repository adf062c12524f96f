"""Re-identification risk logic on a small DuckDB mart with known classes (no vault needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from anonymizer import risk

PROJECT = Path(__file__).resolve().parents[2]
MART = risk.Mart("profile", "m", ("age_band", "sex", "city_name", "district_name"), key="person_key",
                 unit="person_key")


def _con(groups: list[tuple[int, str, str, str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA reference; CREATE SCHEMA profile")
    con.execute(f"CREATE TABLE reference.age_bands AS SELECT * FROM read_csv('{PROJECT / 'seeds/age_bands.csv'}')")
    con.execute(f"CREATE TABLE reference.regions AS SELECT * FROM read_csv('{PROJECT / 'seeds/regions.csv'}', "
                "all_varchar = true)")
    con.execute("CREATE TABLE profile.m (person_key VARCHAR NOT NULL, age_band VARCHAR, sex VARCHAR, "
                "city_name VARCHAR, district_name VARCHAR)")
    rows, i = [], 0
    for n, age, sex, district in groups:
        for _ in range(n):
            rows.append((f"psn_{i}", age, sex, "无锡市", district))
            i += 1
    con.executemany("INSERT INTO profile.m VALUES (?, ?, ?, ?, ?)", rows)
    return con


BASE = [(40, "25-34", "男", "梁溪区"), (40, "25-34", "女", "梁溪区"), (3, "25-34", "男", "滨湖区"), (3, "25-34", "女", "滨湖区")]


def test_measure_reports_class_sizes_and_arx_risks():
    con = _con(BASE)
    m = risk.measure(con, MART, "profile.m", k_required=5)
    assert (m.rows, m.classes, m.k) == (86, 4, 3)
    assert m.sample_unique_share == 0
    assert m.prosecutor_max == pytest.approx(1 / 3)
    assert m.prosecutor_avg == pytest.approx(4 / 86)
    assert m.records_at_risk == pytest.approx(6 / 86)
    assert m.histogram["3-4"] == 6 and m.histogram["20-49"] == 80


def test_treatment_takes_the_least_generalisation_that_meets_k():
    """District → city merges the small 滨湖区 classes; dropping sex would too, but loses more."""
    con = _con(BASE)
    t = risk.treat(con, MART, "profile.m", k=5, max_suppression=0.05, ref="reference")
    assert t.levels == {"age_band": 0, "sex": 0, "city_name": 0, "district_name": 1}
    assert t.suppressed == 0
    assert con.execute("SELECT DISTINCT district_name FROM profile.m").fetchall() == [("无锡市",)]
    assert risk.measure(con, MART, "profile.m", 5).k == 43


def test_treatment_suppresses_what_is_left_within_the_limit():
    con = _con([*BASE, (2, "75+", "男", "梁溪区")])
    t = risk.treat(con, MART, "profile.m", k=5, max_suppression=0.05, ref="reference")
    assert t.levels["district_name"] == 1 and t.suppressed == 2
    assert con.execute("SELECT count(*) FROM profile.m WHERE age_band = '*' AND sex = '*' "
                       "AND city_name = '*' AND district_name = '*'").fetchone()[0] == 2
    after = risk.measure(con, MART, "profile.m", 5)
    assert after.k >= 5 and after.suppressed == 2
    assert any("suppressed 2 of 88" in a for a in t.actions)


def test_without_a_qualifying_node_the_top_is_taken_and_left_for_the_gate():
    con = _con([(3, "25-34", "男", "梁溪区")])
    t = risk.treat(con, MART, "profile.m", k=5, max_suppression=0.05, ref="reference")
    assert t.suppressed == 3
    assert all(level == risk.depth(q) for q, level in t.levels.items())


def test_anonymeter_risk_is_the_success_beyond_the_control_half():
    assert risk._anonymeter_risk(0.6, 0.2) == pytest.approx(0.5)
    assert risk._anonymeter_risk(0.1, 0.2) == 0.0
    assert risk._anonymeter_risk(1.0, 1.0) == 0.0


def test_marts_and_thresholds_come_from_the_dbt_project():
    policy = risk.load_policy(PROJECT)
    assert (policy.k_analysts, policy.k_shared, policy.linkage_max_rate) == (5, 10, 0.01)
    marts = {m.relation: m for m in risk.load_marts(PROJECT)}
    customers = marts["profile.dim_customers"]
    assert customers.quasi_identifiers == ("age_band", "sex", "city_name", "district_name")
    assert customers.key == "person_key" and customers.release == "analysts"
    assert marts["profile.agg_health_profile"].cell_count == "persons"
    assert "medical_insurance_type" in marts["profile.agg_health_profile"].sensitive
    assert all(m.release in ("analysts", "shared") for m in marts.values())
