"""The marts on Apache Spark: the same dbt project, the `spark` target (issue 10).

The boundary between pseudonymisation and dbt is engine-neutral: the staging
warehouse's pseudonymised sources (schemas ``pseudo`` and ``meta``) are exported
as Parquet, which Spark registers as external tables
(``macros/register_landing_parquet.sql``).  Only those files cross over: the
vault, the key and raw data stay with the pipeline; dbt gets no key either way.

dbt-spark and PySpark live in their own virtualenv (``make spark``,
``requirements-spark.txt``): Great Expectations imports pyspark whenever it is
importable.  Locally this is a PySpark session (``profiles/profiles.yml``), its metastore and
table files under ``<data>/build/spark``, started afresh for each build so a
build never depends on an earlier one.  The Spark build is not published: the
DuckDB warehouse stays the analysts' release (with its risk and volume gates).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from core.settings import Settings
from pipelines import build as build_mod
from pipelines.checksum import MART_SCHEMAS, checksum
from pipelines.errors import BuildFailed

LANDING_SCHEMAS = ("pseudo", "meta")


def state_dir(settings: Settings) -> Path:
    return settings.layout.spark_dir


@dataclass
class SparkBuild:
    result: build_mod.BuildResult
    landing: dict[str, int]  # 'schema.table' -> rows exported as Parquet
    marts: dict[str, tuple[int, str]] = field(default_factory=dict)  # 'schema.table' -> (rows, checksum)
    seconds: dict[str, float] = field(default_factory=dict)


def export_landing(warehouse: Path, out: Path) -> dict[str, int]:
    """The pseudonymised sources of a staging warehouse, one Parquet folder per table.

    Refuses a staging warehouse that dbt has built already: its sensitive sources
    were dropped after the build, so Spark would get less than DuckDB did.
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema IN ('pseudo', 'meta') ORDER BY ALL").fetchall()
        if ("pseudo", "health_answers") not in tables:
            raise BuildFailed(f"{warehouse} has been built by dbt already (its sensitive sources are gone): "
                              "run `yihui pseudonymise` first")
        shutil.rmtree(out, ignore_errors=True)
        exported = {}
        for schema, table in tables:
            folder = out / schema / table
            folder.mkdir(parents=True)
            con.execute(f"COPY \"{schema}\".\"{table}\" TO '{folder / 'part-0.parquet'}' (FORMAT parquet)")
            exported[f"{schema}.{table}"] = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]
        return exported
    finally:
        con.close()


def spark_marts(warehouse_dir: Path) -> dict[str, tuple[int, str]]:
    """(rows, checksum) of every mart Spark wrote, read back from its Parquet table folders."""
    con = duckdb.connect()
    try:
        marts = {}
        for schema in MART_SCHEMAS:
            for folder in sorted((warehouse_dir / f"{schema}.db").glob("*")):
                if folder.is_dir() and any(folder.glob("*.parquet")):
                    marts[f"{schema}.{folder.name}"] = checksum(con, f"read_parquet('{folder}/*.parquet')")
        return marts
    finally:
        con.close()


def build(settings: Settings, as_of: date | None = None) -> SparkBuild:
    """`dbt build --target spark` over the staging warehouse's pseudonymised sources, as Parquet."""
    staged = build_mod.staged_as_of(settings)
    if as_of is not None and as_of != staged:
        raise BuildFailed(f"the staging warehouse was pseudonymised as of {staged}, not {as_of}")
    if not settings.spark_dbt.exists():
        raise BuildFailed(f"no dbt for Spark at {settings.spark_dbt}: `make spark` installs dbt-spark and PySpark "
                          "in their own virtualenv (YIHUI_SPARK_DBT names another)")
    if shutil.which("java") is None:
        raise BuildFailed("the spark target needs Java 17 on the PATH (`java -version`)")
    state = state_dir(settings)
    shutil.rmtree(state, ignore_errors=True)
    seconds = {}
    start = time.perf_counter()
    landing = export_landing(settings.layout.staging_path, state / "landing")
    seconds["export Parquet"] = time.perf_counter() - start
    start = time.perf_counter()
    result = build_mod.run_dbt(settings, settings.layout.staging_path, staged, ["build", "--target", "spark"],
                               env={"YIHUI_LANDING_PARQUET": str(state / "landing"), "SPARK_STATE_DIR": str(state)},
                               executable=str(settings.spark_dbt))
    seconds["dbt build (spark)"] = time.perf_counter() - start
    return SparkBuild(result, landing, spark_marts(state / "warehouse"), seconds)
