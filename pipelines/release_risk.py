"""The re-identification release gate: between the dbt build and the publish.

It needs the build database (the truth models the individual-level marts are
released from, with their tokens) and the release file; no vault and no key.
Within ``yihui run`` it treats the next release (generalise, suppress, rewrite),
writes ``risk.{json,html}``, and stops the release when a mart still fails;
``yihui risk report`` measures the published release as it is, against the
internal build database it was built with, and writes ``measured.{json,html}``
beside the run's report without touching it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from anonymizer import attacks, risk
from anonymizer.release import Mart, load_marts
from core.settings import Settings
from vault.store import apply_limits


@dataclass
class RiskResult:
    reports: list[risk.MartReport]
    json_path: Path
    html_path: Path


def report_dir(settings: Settings) -> Path:
    return settings.layout.risk_reports_dir


def compact(release: Path) -> None:
    """Rewrite the release into a new file holding only its live rows.

    dbt built the individual-level marts at their finest level before the gate rewrote
    them; DuckDB leaves the blocks it frees in the file, unzeroed, so the untreated rows
    (exact registration days, districts) would still sit in the bytes of the published
    file for anyone to carve out.  A copy of the database carries only what is in it."""
    fresh = release.with_name(release.name + ".compact")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{release}' AS old (READ_ONLY)")
        con.execute(f"ATTACH '{fresh}' AS fresh")
        con.execute("COPY FROM DATABASE old TO fresh")
    finally:
        con.close()
    fresh.chmod(0o600)
    os.replace(fresh, release)


def text_checks(con: duckdb.DuckDBPyConnection, settings: Settings, treat: bool) -> str | None:
    """Where the detectors' verdicts on released texts already read are (``risk.TEXT_CHECKS`` of the
    published build database, attached read-only while a run treats the next one), if anywhere."""
    if treat:
        if not settings.layout.internal_path.exists():
            return None
        con.execute(f"ATTACH '{settings.layout.internal_path}' AS published (READ_ONLY)")
        db = "published"
    else:
        db = con.execute("SELECT current_database()").fetchone()[0]
    schema, table = risk.TEXT_CHECKS.split(".")
    held = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
                       "AND table_name = ?", [db, schema, table]).fetchone()[0]
    return f"{db}.{risk.TEXT_CHECKS}" if held else None


def assess(settings: Settings, run_id: str, as_of: date, treat: bool,
           marts: list[Mart] | None = None) -> RiskResult:
    """Treat (or only measure) the release and attack it; write the report."""
    build, release = ((settings.layout.staging_path, settings.layout.release_staging_path) if treat
                      else (settings.layout.internal_path, settings.layout.warehouse_path))
    policy = risk.load_policy(settings.project_dir)
    adversary = attacks.load_adversary()
    con = duckdb.connect(str(build), read_only=not treat)
    try:
        apply_limits(con, settings.threads, settings.memory_limit)
        con.execute(f"ATTACH '{release}' AS rel{'' if treat else ' (READ_ONLY)'}")
        last = None
        if treat and settings.layout.warehouse_path.exists():  # the release analysts hold: its levels
            con.execute(f"ATTACH '{settings.layout.warehouse_path}' AS last_release (READ_ONLY)")
            last = "last_release"
        reports = risk.assess(con, marts if marts is not None else load_marts(settings.project_dir),
                              policy, adversary, treat=treat, text_checks=text_checks(con, settings, treat), last=last)
    finally:
        con.close()
    if treat:
        compact(release)
    summary = risk.summary_json(reports, run_id, as_of, policy, adversary, measured_only=not treat)
    js, html = risk.write_report(summary, report_dir(settings), "risk" if treat else "measured")
    return RiskResult(reports, js, html)
