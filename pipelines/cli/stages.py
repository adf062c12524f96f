"""The pipeline, whole or stage by stage: generate, run, extract, validate, pseudonymise, build, docs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.settings import Settings
from pipelines.cli.app import (
    AsOf,
    DataDir,
    FullRefresh,
    SourceUrl,
    Threads,
    app,
    console,
    out,
    progress,
    session,
    settings,
    writes,
)


@app.command()
def generate(
    preset: Annotated[str, typer.Option(help="tiny (~1k accounts), small (~20k), district (~250k: a quarter of city) or city (~1M).")] = "small",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data on any day.")] = 42,
    source: SourceUrl = None,
    data_dir: DataDir = None,
    bad_rows: Annotated[bool, typer.Option("--bad-rows", help="Add the documented matrix of malformed rows.")] = False,
) -> None:
    """Build the synthetic operational database (SQLite file or PostgreSQL server)."""
    from rich.progress import Progress

    from pipelines.generate import generate as gen
    from pipelines.source import Source

    s = settings(data_dir, source, creates=True)
    src = Source.parse(s.source)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"generating {preset}", total=None)
        result = gen(src, preset, seed, bad_rows, progress=lambda i, n: progress.update(task, completed=i, total=n))
    t = Table(title=f"generated {preset} (seed {seed}) → {src.display}")
    t.add_column("table")
    t.add_column("rows", justify="right")
    t.add_column("bad rows", justify="right")
    for name, n in result.rows.items():
        t.add_row(name, f"{n:,}", str(result.bad_rows.get(name, "")))
    out.print(t)


def _print_summary(summary, settings: Settings) -> None:
    t = Table(title=f"run {summary.run_id} (as of {summary.as_of})")
    t.add_column("mart")
    t.add_column("rows", justify="right")
    for name, n in summary.marts.items():
        t.add_row(name, f"{n:,}")
    out.print(t)
    q = Table(title="quarantined rows (kept in the vault, with reasons)")
    q.add_column("table")
    q.add_column("reason")
    q.add_column("rows", justify="right")
    for table, reasons in summary.quarantined.items():
        for reason, n in reasons.items():
            q.add_row(table, reason, f"{n:,}")
    if not summary.quarantined:
        q.add_row("—", "none", "0")
    out.print(q)
    if summary.source_deletions:
        out.print(f"erased {summary.source_deletions:,} account(s) whose deletion request the source completed (§八)")
    for w in summary.warnings:
        out.print(f"[yellow]warning:[/] {w}")
    if summary.build:
        out.print(f"dbt: {summary.build.passed} passed, {summary.build.warned} warned")
    if summary.stage_seconds:
        out.print("stages: " + " · ".join(f"{name} {s:.1f} s" for name, s in summary.stage_seconds.items()))
        checks = summary.validation_seconds()
        total = sum(summary.stage_seconds.values())
        if checks and total:
            out.print(f"validation: {sum(checks.values()):.1f} s, {sum(checks.values()) / total:.1%} of the run ("
                      + " · ".join(f"{name} {s:.1f} s" for name, s in checks.items()) + ")")
    out.print(f"warehouse: {summary.warehouse}")
    if summary.data_docs:
        out.print(f"data quality: {summary.data_docs}")
    if summary.risk_report:
        out.print(f"risk report: {summary.risk_report}")
    out.print(f"try:  .venv/bin/yihui sql \"select age_band, count(*) from profile.dim_customers group by 1 order by 1\""
              f"{'' if settings.data_dir == Path('data').resolve() else ' --data-dir ' + str(settings.data_dir)}")


@app.command()
@writes
def run(source: SourceUrl = None, data_dir: DataDir = None, as_of: AsOf = None, threads: Threads = None,
        accept_volume_change: Annotated[bool, typer.Option(
            "--accept-volume-change", help="Publish even if the marts moved beyond expectations/volume.yml.")] = False,
        full_refresh: FullRefresh = False) -> None:
    """Extract, validate, pseudonymise, build and publish the warehouse."""
    from pipelines.run import run as run_pipeline

    s = settings(data_dir, source, as_of, threads, creates=True)
    summary = run_pipeline(s, log=progress, accept_volume_change=accept_volume_change, full_refresh=full_refresh)
    _print_summary(summary, s)


@app.command()
@writes
def extract(source: SourceUrl = None, data_dir: DataDir = None) -> None:
    """Copy new and changed source rows into the encrypted vault (changes found by content)."""
    from pipelines.extract import extract as do_extract
    from pipelines.source import Source

    s = settings(data_dir, source, creates=True)
    with session(s) as (_key, con):
        for r in do_extract(con, Source.parse(s.source), log=out.print):
            out.print(f"{r.table}: {r.describe()}")


@app.command()
@writes
def validate(data_dir: DataDir = None, as_of: AsOf = None, full_refresh: FullRefresh = False) -> None:
    """Run the Great Expectations checkpoints on the vault's landing data; refresh the quarantine and the quality page."""
    from pipelines.run import new_run_id, resolve_as_of
    from pipelines.validate import validate as do_validate

    s = settings(data_dir, as_of=as_of)
    with session(s) as (_key, con):
        res = do_validate(con, s, new_run_id(), resolve_as_of(con, s), {}, full=full_refresh)
    for table, reasons in res.quarantined.items():
        for reason, n in reasons.items():
            out.print(f"{table}: {n:,} quarantined ({reason})")
    for w in res.warnings:
        out.print(f"warning: {w}")
    out.print(f"data quality: {res.data_docs}")


@app.command()
@writes
def pseudonymise(data_dir: DataDir = None, as_of: AsOf = None, full_refresh: FullRefresh = False) -> None:
    """Tokenise and generalise the validated landing data into the staging warehouse."""
    from pipelines.run import RunSummary, new_run_id, resolve_as_of, stage

    s = settings(data_dir, as_of=as_of)
    with session(s) as (key, con):
        summary = RunSummary(new_run_id(), resolve_as_of(con, s))
        stage(con, key, s, summary, "vault", lambda m: None, status="staged", full_refresh=full_refresh)
    for table, n in summary.pseudonymised.items():
        out.print(f"pseudo.{table}: {n:,} rows")
    out.print(f"next build database: {s.layout.staging_path} (build, gate and publish with `yihui build`)")


@app.command()
@writes
def build(data_dir: DataDir = None, as_of: AsOf = None, threads: Threads = None,
          engine: Annotated[str, typer.Option(
              "--engine", help="duckdb: build, gate and publish the warehouse. spark: build the same marts on "
              "a local Spark session from the staging warehouse's sources exported as Parquet (not published).",
          )] = "duckdb") -> None:
    """Run dbt build on the staging warehouse; on DuckDB, publish it when every test and gate passes."""
    from pipelines import run as run_mod

    s = settings(data_dir, as_of=as_of, threads=threads)
    if engine == "spark":
        from pipelines import spark

        res = spark.build(s, s.as_of)
        t = Table(title=f"marts built on Spark ({spark.state_dir(s) / 'warehouse'})")
        for column in ("mart", "rows", "checksum"):
            t.add_column(column, justify="right" if column == "rows" else "left")
        for name, (rows, digest) in res.marts.items():
            t.add_row(name, f"{rows:,}", digest)
        out.print(t)
        out.print(f"dbt (spark): {res.result.passed} passed, {res.result.warned} warned; "
                  + " · ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items()))
        return
    if engine != "duckdb":
        raise typer.BadParameter(f"unknown engine {engine!r}: duckdb or spark", param_hint="--engine")
    # the same gates as `yihui run` (risk, volume) stand between a build and the analysts
    summary = run_mod.publish_staged(s, log=progress)
    out.print(f"dbt: {summary.build.passed} passed, {summary.build.warned} warned; published {summary.warehouse}")


@app.command()
@writes
def docs(data_dir: DataDir = None) -> None:
    """Write the warehouse's model and column docs (dbt docs, one static HTML page)."""
    from pipelines import build as build_mod

    path = build_mod.docs(settings(data_dir))
    out.print(f"docs: {path}  (open it in a browser; it works offline, no server needed)")
