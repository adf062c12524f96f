"""The same dbt project builds the marts on Apache Spark (issue 10).

From the tiny run's vault (bad-row matrix included, so the quarantine marts
have rows), the pseudonymised sources are staged once; Spark builds every mart
from them as Parquet, DuckDB builds them from the staging warehouse, and every
mart must have the same rows and the same content checksum on both engines.
"""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from pipelines import build as build_mod
from pipelines import spark
from pipelines.checksum import warehouse_checksums
from pipelines.run import RunSummary, new_run_id, resolve_as_of, stage
from tests.conftest import TEST_KEY, make_settings
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.dbt, pytest.mark.xdist_group("tiny")]


@pytest.fixture(scope="module")
def both_builds(tiny_run, tmp_path_factory):
    """Both builds once for the module (Spark takes about a minute on tiny)."""
    settings = make_settings(tmp_path_factory.mktemp("spark") / "data")
    shutil.copytree(tiny_run[0].data_dir, settings.data_dir, ignore=shutil.ignore_patterns("gx", "tmp"))
    os.environ["YIHUI_MASTER_KEY"] = TEST_KEY  # only to stage from the vault: dbt and Spark never get it
    try:
        key, con = open_session(settings)
        try:
            stage(con, key, settings, RunSummary(new_run_id(), resolve_as_of(con, settings)), "vault", lambda m: None)
        finally:
            con.close()
    finally:
        os.environ.pop("YIHUI_MASTER_KEY", None)
    on_spark = spark.build(settings)  # reads the staging sources before DuckDB's build purges them
    build_mod.build(settings)
    # before the gate: the release as dbt built it, beside the marts that stay in the build database
    return settings, on_spark, {**warehouse_checksums(settings.layout.release_staging_path),
                                **warehouse_checksums(settings.layout.staging_path)}


def test_every_mart_built_on_spark_has_the_rows_and_checksum_of_the_duckdb_build(both_builds):
    _, on_spark, on_duckdb = both_builds
    assert len(on_duckdb) >= 16 and on_duckdb["governance.fct_quarantine"][0] > 0
    assert on_spark.result.failed == 0 and on_spark.result.passed > 150  # models, data tests, unit tests
    assert on_spark.marts == on_duckdb


@pytest.mark.privacy
def test_spark_gets_tokens_only_and_keeps_no_sensitive_rows_after_its_build(both_builds):
    settings, on_spark, _ = both_builds
    landing = spark.state_dir(settings) / "landing"
    assert set(on_spark.landing) >= {"pseudo.insured_persons", "pseudo.health_answers", "meta.runs"}
    con = duckdb.connect()
    try:
        # the same purge as on DuckDB (macros/drop_sensitive_sources.sql): health answers and children gone
        assert con.execute(f"SELECT count(*) FROM '{landing}/pseudo/health_answers/*.parquet'").fetchone()[0] == 0
        assert con.execute(f"SELECT count(*) FROM '{landing}/pseudo/insured_persons/*.parquet' "
                           "WHERE age < 14").fetchone()[0] == 0
    finally:
        con.close()
    from anonymizer.audit import key_material
    from anonymizer.keys import parse_key

    needles = [m.encode() for m in key_material(parse_key(TEST_KEY, "test"))]
    files = [p for p in spark.state_dir(settings).rglob("*") if p.is_file()]
    files += [p for p in (settings.data_dir / "dbt").rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        data = path.read_bytes()
        assert not any(n in data for n in needles), path
