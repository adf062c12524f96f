"""The re-identification gate and its attacks on a small DuckDB release with known classes."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pytest

from anonymizer import attacks, hierarchy, release, risk

PROJECT = Path(__file__).resolve().parents[2]
QIS = ("age_band", "sex", "city_name", "district_name")
MART = release.Mart("profile", "m", QIS, (*QIS, "channel"), "analysts", "t", "person_key")
POLICY = risk.Policy(k_analysts=5, k_shared=10, max_suppression=0.05, linkage_max_rate=0.01, linkage_sample=1000)
ADVERSARY = attacks.Adversary("a test adversary", {"id_card": ("the ID card", QIS)}, (("id_card",),))


def _con(groups: list[tuple[int, str, str, str]], rows_per_person: int = 1) -> duckdb.DuckDBPyConnection:
    """A build database with the truth ``intermediate.t`` and a release ``rel`` holding ``profile.m``."""
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS rel")
    con.execute("CREATE SCHEMA rel.reference; CREATE SCHEMA rel.profile; CREATE SCHEMA intermediate")
    con.execute(f"CREATE TABLE rel.reference.age_bands AS SELECT * FROM read_csv('{PROJECT / 'seeds/age_bands.csv'}')")
    con.execute(f"CREATE TABLE rel.reference.regions AS SELECT * FROM read_csv('{PROJECT / 'seeds/regions.csv'}', "
                "all_varchar = true)")
    con.execute("CREATE TABLE intermediate.t (person_key VARCHAR NOT NULL, age_band VARCHAR, sex VARCHAR, "
                "city_name VARCHAR, district_name VARCHAR, channel VARCHAR)")
    rows, i = [], 0
    for n, age, sex, district in groups:
        for _ in range(n):
            rows += [(f"psn_{i}", age, sex, "无锡市", district, "微信")] * rows_per_person
            i += 1
    con.executemany("INSERT INTO intermediate.t VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE rel.profile.m AS SELECT * EXCLUDE (person_key) FROM intermediate.t")
    return con


BASE = [(40, "25-34", "男", "梁溪区"), (40, "25-34", "女", "梁溪区"), (3, "25-34", "男", "滨湖区"), (3, "25-34", "女", "滨湖区")]


def test_the_gate_takes_the_least_generalisation_that_meets_k():
    """District → city merges the small 滨湖区 classes; dropping sex would too, but loses more."""
    (r,) = risk.assess(_con(BASE), [MART], POLICY, ADVERSARY)
    assert r.levels == {"age_band": 0, "sex": 0, "city_name": 0, "district_name": 1}
    assert r.released_levels["district_name"] == "city_name"
    assert r.before.k == 3 and r.after.k == 43 and r.after.suppressed == 0 and not r.failures


def test_the_released_mart_is_rewritten_generalised_without_the_truth_key():
    con = _con(BASE)
    risk.assess(con, [MART], POLICY, ADVERSARY)
    assert con.execute("SELECT DISTINCT district_name FROM rel.profile.m").fetchall() == [("无锡市",)]
    assert con.execute("SELECT count(*) FROM rel.profile.m").fetchone()[0] == 86
    assert "person_key" not in [c[0] for c in con.execute("DESCRIBE rel.profile.m").fetchall()]


def test_what_generalisation_leaves_is_suppressed_within_the_limit():
    """Two lone groups of 2 and 3 people are suppressed together: five, never fewer than k."""
    con = _con([(100, "25-34", "男", "梁溪区"), (100, "25-34", "女", "梁溪区"), (3, "25-34", "男", "滨湖区"),
                (3, "25-34", "女", "滨湖区"), (2, "75+", "男", "梁溪区"), (3, "14-17", "女", "梁溪区")])
    (r,) = risk.assess(con, [MART], POLICY, ADVERSARY)
    assert r.levels["district_name"] == 1 and r.after.suppressed == 5
    assert con.execute("SELECT count(*) FROM rel.profile.m WHERE age_band = '*' AND sex = '*' "
                       "AND city_name = '*' AND district_name = '*'").fetchone()[0] == 5
    assert any("suppressed 5 of 211 people" in a for a in r.actions)
    assert r.information_loss["suppression"] == pytest.approx(5 / 211, abs=1e-4)
    assert not r.failures and r.attacks[0]["after"] == 0


def test_k_counts_people_not_rows():
    """Three people with two rows each are a class of 3, not 6: the gate must still act."""
    con = _con([(40, "25-34", "男", "梁溪区"), (3, "35-44", "女", "滨湖区")], rows_per_person=2)
    (r,) = risk.assess(con, [MART], POLICY, ADVERSARY)
    assert r.before.k == 3 and r.before.rows == 86 and r.before.people == 43
    assert r.after.k >= 5 or r.failures


@pytest.mark.parametrize("rows_per_person", [1, 2])
def test_the_search_sees_the_classes_of_every_node_the_released_values_make(rows_per_person):
    """The search groups hashes of the levels (``risk_lattice``), not the text: at every node of the
    lattice it must find the classes, and their sizes in people, that the text columns make, NULLs
    included and a person of several rows counted once."""
    con = _con([*BASE, (2, None, "女", "梁溪区"), (1, "75+", None, None), (4, "75+", "男", None)], rows_per_person)
    con.execute(f"CREATE TEMP TABLE risk_base AS {hierarchy.levelled('intermediate.t', QIS, 'rel.reference', 'person_key')}")
    size = risk._lattice(con, QIS, one_row_each=rows_per_person == 1)
    for node in itertools.product(*(range(hierarchy.depth(q) + 1) for q in QIS)):
        levels = dict(zip(QIS, node, strict=True))
        searched = con.execute(f"SELECT list(f ORDER BY f) FROM ({risk._lattice_classes(QIS, levels, size)})").fetchone()
        counted = con.execute(f"SELECT list(f ORDER BY f) FROM ({risk._classes(QIS, levels)})").fetchone()
        assert searched == counted, levels


def _last_release(con: duckdb.DuckDBPyConnection, sex: str, district: str) -> str:
    """The release analysts hold: ``profile.m`` with sex and district released as the given expressions."""
    con.execute("ATTACH ':memory:' AS last; CREATE SCHEMA last.profile")
    con.execute(f"CREATE TABLE last.profile.m AS SELECT * REPLACE ({sex} AS sex, {district} AS district_name) "
                "FROM rel.profile.m")
    return "last"


def test_the_levels_analysts_hold_are_kept_while_their_suppression_fits_the_budget():
    """Sex starred also merges the small 滨湖区 classes: a fresh search would coarsen the district
    instead, but the release keeps its granularity while the data allow."""
    con = _con(BASE)
    (r,) = risk.assess(con, [MART], POLICY, ADVERSARY, last=_last_release(con, "'*'", "district_name"))
    assert r.levels == {"age_band": 0, "sex": 1, "city_name": 0, "district_name": 0}
    assert r.after.k == 6 and not r.failures


def test_levels_analysts_hold_that_no_longer_fit_are_searched_afresh():
    con = _con(BASE)
    (r,) = risk.assess(con, [MART], POLICY, ADVERSARY, last=_last_release(con, "sex", "district_name"))
    assert r.levels == {"age_band": 0, "sex": 0, "city_name": 0, "district_name": 1}


def test_levels_analysts_hold_that_the_data_no_longer_need_are_given_back():
    con = _con(BASE)
    (r,) = risk.assess(con, [MART], POLICY, ADVERSARY, last=_last_release(con, "'*'", "city_name"))
    assert sum(r.levels.values()) == 1 and r.after.suppressed == 0 and not r.failures


def test_a_mart_that_cannot_be_repaired_within_the_limit_fails_the_gate():
    con = _con([(3, "25-34", "男", "梁溪区")])
    (r,) = risk.assess(con, [MART], POLICY, ADVERSARY)
    assert all(level == hierarchy.depth(q) for q, level in r.levels.items())
    assert any("suppressed" in f for f in r.failures)
    with pytest.raises(risk.RiskGateFailed, match="profile.m"):
        risk.gate([r])


def test_the_attack_re_identifies_the_unique_untreated_and_nobody_released():
    (r,) = risk.assess(_con([*BASE, (1, "75+", "男", "梁溪区")]), [MART], POLICY, ADVERSARY)
    (a,) = r.attacks
    assert a["targets"] == 87 and a["reidentified_before"] == 1, "the one 75+ man is unique untreated"
    assert a["after"] == 0


def test_a_person_whose_rows_are_all_that_fit_is_re_identified():
    """Two rows of one 75+ man are two consistent rows, both his: counted by person, not by row."""
    (r,) = risk.assess(_con([*BASE, (1, "75+", "男", "梁溪区")], rows_per_person=2), [MART], POLICY, ADVERSARY)
    (a,) = r.attacks
    assert a["counted"] == "people" and a["reidentified_before"] == 1 and a["after"] == 0


def test_a_lone_suppressed_row_is_re_identified_by_elimination():
    """The attacker's target has no exact class left, and one starred row: it must be theirs.
    This is why the gate never suppresses fewer than k people."""
    con = _con([*BASE, (1, "75+", "男", "梁溪区")])
    con.execute("CREATE OR REPLACE TEMP TABLE risk_base AS "
                + hierarchy.levelled("intermediate.t", QIS, "rel.reference", "person_key"))
    con.execute("CREATE OR REPLACE TEMP TABLE attack_targets AS SELECT * FROM risk_base")
    con.execute("UPDATE rel.profile.m SET age_band = '*', sex = '*', city_name = '*', district_name = '*' "
                "WHERE age_band = '75+'")
    levels = attacks.infer_levels(con, QIS, "rel.profile.m")
    assert levels == {q: 0 for q in QIS}
    values = attacks.released_value_sets(con, QIS, "rel.profile.m")
    assert attacks.reidentified(con, "rel.profile.m", QIS, QIS, values) == 1, "the 75+ man, nobody else"
    con.execute("UPDATE rel.profile.m SET age_band = '*', sex = '*', city_name = '*', district_name = '*' "
                "WHERE district_name = '滨湖区'")
    assert attacks.reidentified(con, "rel.profile.m", QIS, QIS, values) == 0, "seven starred rows hide him"


def test_an_attacker_reads_the_released_level_off_the_values():
    con = _con(BASE)
    risk.assess(con, [MART], POLICY, ADVERSARY)
    assert attacks.infer_levels(con, QIS, "rel.profile.m") == {"age_band": 0, "sex": 0, "city_name": 0,
                                                               "district_name": 1}


def test_an_aggregate_with_a_published_cell_below_k_fails():
    con = _con(BASE)
    con.execute("CREATE TABLE rel.profile.a AS SELECT * FROM (VALUES ('2025-W01', 12), ('2025-W02', NULL), "
                "('2025-W03', 3)) AS v(paid_week, accounts)")
    agg = release.Mart("profile", "a", ("paid_week",), ("paid_week", "accounts"), cell_count="accounts")
    (r,) = risk.assess(con, [agg], POLICY, ADVERSARY)
    assert r.cells == {"cells": 3, "suppressed": 1, "smallest": 3}
    assert r.failures == ["a published cell counts 3 < 5"]


def test_marts_and_thresholds_come_from_the_dbt_project():
    policy = risk.load_policy(PROJECT)
    assert (policy.k_analysts, policy.k_shared, policy.linkage_max_rate) == (5, 10, 0.01)
    marts = {m.relation: m for m in release.load_marts(PROJECT)}
    customers = marts["profile.dim_customers"]
    assert {"age_band", "sex", "district_name", "registered_period"} <= set(customers.quasi_identifiers)
    assert customers.truth == "int_customer_profile" and customers.truth_key == "person_key"
    assert marts["profile.agg_health_profile"].cell_count == "persons"
    assert "publication.fct_lottery_winners" not in marts, "the masked public list is published by §三.(三)"
    assert all(m.release in ("analysts", "shared") for m in marts.values())


def test_the_time_hierarchy_runs_day_week_month_quarter_year():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA reference")
    con.execute(f"CREATE TABLE reference.calendar AS SELECT * FROM read_csv('{PROJECT / 'seeds/calendar.csv'}', "
                "all_varchar = true)")
    con.execute("CREATE TABLE t AS SELECT '2025-02-14' AS registered_period")
    row = con.execute(hierarchy.levelled("t", ("registered_period",), "reference", None)
                      .replace("SELECT b.*,", "SELECT")).fetchone()
    assert row[-5:] == ("2025-02-14", "2025-W07", "2025-02", "2025-Q1", "2025")


def test_every_level_of_every_hierarchy_is_named_in_reports_by_the_column_it_reads():
    """The gate's log and risk.json say which level a mart was released at (it once said ``city_name)``
    for the province level of a city)."""
    from anonymizer.hierarchy import LEVELS, STAR, depth, level_name

    names = {q: [level_name(q, i) for i in range(depth(q) + 1)] for q in LEVELS}
    assert names["city_name"] == ["city_name", "province_name", STAR]
    assert names["district_name"] == ["district_name", "city_name", "province_name", STAR]
    assert all(n == STAR or n.isidentifier() for levels in names.values() for n in levels)
    assert all(len(set(levels)) == len(levels) for levels in names.values())
