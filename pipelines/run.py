"""Orchestration: extract → validate → pseudonymise → build → publish, and the run log.

Validation runs before pseudonymisation on purpose: an invalid ID number must be
quarantined *before* it is tokenised, or its token would reach the warehouse.
The key is loaded and the vault opened (which proves the key) before anything
is written, so a missing or wrong key stops the run with one clear line.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from anonymizer.keys import MasterKey
from core import faults
from core.errors import ConfigError, YihuiError
from core.schema import INGESTED
from core.settings import Settings
from pipelines import build as build_mod
from pipelines import quarantine, subjects
from pipelines.boundary import CLOCK_TOLERANCE, LOCAL_NOW, LOCAL_TODAY
from pipelines.extract import TableExtract, extract
from pipelines.source import Source
from vault import rotate
from vault.session import session

Log = Callable[[str], None]


@dataclass
class RunSummary:
    run_id: str
    as_of: date
    extracted: list[TableExtract] = field(default_factory=list)
    quarantined: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pseudonymised: dict[str, int] = field(default_factory=dict)
    tokens_added: dict[str, int] = field(default_factory=dict)
    notes_redacted: int = 0  # service notes redacted this run (the rest kept their cached redaction)
    build: build_mod.BuildResult | None = None
    marts: dict[str, int] = field(default_factory=dict)
    warehouse: Path | None = None
    data_docs: Path | None = None
    risk_report: Path | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage, in run order
    source_deletions: int = 0  # accounts erased because the source completed their deletion request

    def validation_seconds(self) -> dict[str, float]:
        """What checking the data cost in this run: the GX landing checkpoints, dbt's data and unit
        tests (their share of the dbt build) and the volume gate (issue 8 budgets it at 20 %)."""
        dbt = self.build.seconds_by_kind if self.build else {}
        parts = {"landing checks": self.stage_seconds.get("validate", 0.0),
                 "dbt tests": dbt.get("test", 0.0) + dbt.get("unit_test", 0.0),
                 "volume gate": self.stage_seconds.get("volume gate", 0.0)}
        return {k: v for k, v in parts.items() if v}


@contextmanager
def timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def resolve_as_of(con: duckdb.DuckDBPyConnection, settings: Settings) -> date:
    """The configured date, else the day of the latest activity landed in the vault; never after today.

    Rows stamped in the future (a source clock running ahead) are quarantined, so they cannot
    move the whole release's ages and windows forward: only times up to now count.
    """
    today = con.execute(f"SELECT {LOCAL_TODAY}").fetchone()[0]
    if settings.as_of:
        if settings.as_of > today:
            raise ConfigError(f"--as-of {settings.as_of} is after today ({today}): a release cannot describe the future")
        return settings.as_of
    upto = f"<= {LOCAL_NOW} + {CLOCK_TOLERANCE} AND _problems IS NULL"
    latest = con.execute(
        f"SELECT max(m)::DATE FROM (SELECT max(occurred_at) AS m FROM vault.raw.access_logs WHERE occurred_at {upto} "
        f"UNION ALL SELECT max(updated_at) FROM vault.raw.accounts WHERE updated_at {upto} "
        f"UNION ALL SELECT max(updated_at) FROM vault.raw.orders WHERE updated_at {upto})"
    ).fetchone()[0]
    if latest is None:
        raise YihuiError("the vault holds no data to choose a reference date from: set --as-of")
    return min(latest, today)


def record_run(con: duckdb.DuckDBPyConnection, summary: RunSummary, key: MasterKey,
               source_kind: str, status: str) -> None:
    """The run log names the key version (and its public fingerprint) every run used."""
    rotate.record_key_version(con, key)
    con.execute(
        "INSERT INTO vault.ops.runs VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?)",
        [summary.run_id, datetime.strptime(summary.run_id[:16], "%Y%m%dT%H%M%SZ"), summary.as_of,
         source_kind, key.version, key.key_id, status],
    )


def copy_run_metadata(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """Run log, reconciliation and quarantine counts into the warehouse (no personal data, no key id)."""
    con.execute(f"ATTACH '{warehouse}' AS wh")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS wh.meta")
        con.execute(
            "CREATE OR REPLACE TABLE wh.meta.runs AS SELECT run_id, started_at, finished_at, as_of_date, "
            "source_kind, key_version, status FROM vault.ops.runs"
        )
        con.execute("CREATE OR REPLACE TABLE wh.meta.reconciliation AS SELECT run_id, source_table, source_rows, "
                    "loaded_rows, quarantined_rows, coalesce(withheld_rows, 0) AS withheld_rows FROM vault.ops.reconciliation")
        con.execute(
            "CREATE OR REPLACE TABLE wh.meta.quarantine_summary AS SELECT run_id, source_table, reason_code, "
            "count(*) AS quarantined_rows FROM vault.quarantine.history GROUP BY ALL"
        )
    finally:
        con.execute("DETACH wh")


def run(settings: Settings, log: Log = print, accept_volume_change: bool = False,
        full_refresh: bool = False) -> RunSummary:
    from pipelines.validate import preload, validate

    source = Source.parse(settings.source)
    seconds: dict[str, float] = {}
    with session(settings, log) as (key, con):  # fails on a missing or wrong key before any write
        preload()
        run_id = new_run_id()
        started = con.execute("SELECT now()::TIMESTAMP").fetchone()[0]  # the clock extraction stamps with
        log(f"run {run_id}: extracting from {source.display}")
        with timed(seconds, "extract"):
            extracted = extract(con, source, on_table=lambda t: log(f"  extract {t.table}: {t.describe()}"), log=log)
            withheld = subjects.enforce(con, run_id, started)  # erased people stay erased, whatever the source holds
            deletions = subjects.erase_completed_deletions(con, settings.data_dir, run_id)
        if withheld:
            log(f"  withheld rows of erased people: {withheld}")
        if deletions.people:
            log(f"  erased {deletions.people} account(s) whose deletion the source completed (§八): vault "
                + ", ".join(f"{t} {n:,}" for t, n in deletions.removed.items()) + "; downstream "
                + ", ".join(f"{k} {n:,}" for k, n in deletions.downstream.items()))
        as_of = resolve_as_of(con, settings)
        summary = RunSummary(run_id, as_of, extracted, stage_seconds=seconds, source_deletions=deletions.people)
        log(f"validating landing data (as of {as_of})")
        with timed(seconds, "validate"):
            result = validate(con, settings, run_id, as_of, {t.table: t.source_rows for t in extracted},
                              full=full_refresh)
        rechecked, judged = (sum(n) for n in zip(*result.rechecked.values(), strict=True))
        log(f"  landing rows checked: {rechecked:,} of {judged:,}"
            + (" (the others unchanged since their last check kept its verdicts)" if rechecked < judged else ""))
        summary.quarantined, summary.warnings, summary.data_docs = result.quarantined, result.warnings, result.data_docs
        stage(con, key, settings, summary, source.kind, log, full_refresh=full_refresh)
    finish(settings, summary, log, check_volume=not accept_volume_change)
    return summary


def rebuild(settings: Settings, log: Log = print, status: str = "rebuilt") -> RunSummary:
    """Re-pseudonymise the vault as it stands and publish (no extract): after a key rotation, an erasure
    or retention, all deliberate, so the volume gate is not applied."""
    with session(settings, log) as (key, con):
        summary = RunSummary(new_run_id(), resolve_as_of(con, settings))
        # written afresh: a copy of the published build database would keep what was removed or re-keyed
        stage(con, key, settings, summary, "vault", log, status, full_refresh=True)
    finish(settings, summary, log, check_volume=False)
    return summary


def stage(con: duckdb.DuckDBPyConnection, key: MasterKey, settings: Settings, summary: RunSummary,
          source_kind: str, log: Log, status: str = "built", full_refresh: bool = False) -> None:
    """Validated vault data → the staging warehouse (tokens, generalised attributes, run metadata).

    The staging warehouse starts as a copy of the published build database, and only the accounts
    whose rows changed are pseudonymised again (``anonymizer.changes``); ``full_refresh`` starts empty."""
    from anonymizer import changes
    from anonymizer.pseudonymise import pseudonymise

    quarantine.create_landing_views(con)
    staging = settings.layout.staging_path
    log(f"pseudonymising into the next build database (key version {key.version})")
    with timed(summary.stage_seconds, "pseudonymise"):
        reuse = not full_refresh and changes.reusable(con, settings.layout.internal_path)
        build_mod.prepare_next(settings, reuse)
        p = pseudonymise(con, key, summary.as_of, summary.run_id, staging, incremental=reuse)
    staging.chmod(0o600)
    summary.pseudonymised, summary.tokens_added, summary.notes_redacted = p.rows, p.tokens_added, p.notes_redacted
    log(f"  {p.plan.describe()}")
    notes = p.rows.get("service_records", 0)
    log(f"  service notes redacted: {p.notes_redacted:,}; {notes - p.notes_redacted:,} kept their last redaction")
    if not con.execute("SELECT count(*) FROM vault.ops.reconciliation WHERE run_id = ?", [summary.run_id]).fetchone()[0]:
        # a run that validated nothing itself (a rebuild, `yihui pseudonymise`): the counts it was built from
        from pipelines.validate import reconcile_table

        for table in INGESTED:
            reconcile_table(con, summary.run_id, table, None)
    record_run(con, summary, key, source_kind, status)
    copy_run_metadata(con, staging)


def publish_staged(settings: Settings, log: Log) -> RunSummary:
    """`yihui build` after `yihui pseudonymise`: the staged run is the one published, so its run log says
    built (not staged) in the vault and in the release, under its own run id."""
    import duckdb

    as_of = build_mod.staged_as_of(settings)
    staging = duckdb.connect(str(settings.layout.staging_path), read_only=True)
    try:
        run_id = staging.execute("SELECT run_id FROM meta.build_info").fetchone()[0]
    finally:
        staging.close()
    with session(settings, log) as (_key, con):
        con.execute("UPDATE vault.ops.runs SET status = 'built' WHERE run_id = ? AND status = 'staged'", [run_id])
        copy_run_metadata(con, settings.layout.staging_path)
    summary = RunSummary(run_id, as_of)
    finish(settings, summary, log)
    return summary


def finish(settings: Settings, summary: RunSummary, log: Log, check_volume: bool = True) -> None:
    """dbt build on the staging warehouse, the risk and volume gates, then the atomic publish."""
    from anonymizer.risk import gate, text_line
    from pipelines import release_risk, volume

    log("building marts with dbt (models, tests, unit tests)")
    with timed(summary.stage_seconds, "dbt build"):
        summary.build = build_mod.build(settings, summary.as_of)
    if summary.build.scanned_only_new_rows:
        log("  raw-identifier scans of the pseudonymised sources: this run's rows only "
            "(the others passed the same scan in the build that wrote them)")
    faults.point("build")  # (tests) marts built in staging, not yet gated or published
    log("release gate: re-identification risk (generalise, suppress, attack)")
    with timed(summary.stage_seconds, "risk gate"):
        risk = release_risk.assess(settings, summary.run_id, summary.as_of, treat=True)
    summary.risk_report = risk.html_path
    for r in risk.reports:
        for action in r.actions:
            log(f"  {r.mart}: {action}")
        if r.text:
            log(f"  {r.mart}: {text_line(r.text)}")
    rates = [a["after"] for r in risk.reports for a in r.attacks]
    if rates:
        log(f"  {len(rates)} attacks on the release: at most {max(rates):.2%} of targets re-identified")
    gate(risk.reports)
    if check_volume:
        with timed(summary.stage_seconds, "volume gate"):
            findings = volume.check(settings.layout.release_staging_path, settings.layout.warehouse_path)
        if findings:
            raise volume.VolumeCheckFailed(
                "the new marts differ from the published release beyond expectations/volume.yml, nothing was "
                "published: " + "; ".join(findings[:5]) + " (a real change? `yihui run --accept-volume-change`)")
    with timed(summary.stage_seconds, "publish"):
        summary.warehouse = build_mod.publish(settings)
    summary.marts = mart_counts(summary.warehouse)


def mart_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('profile', 'governance', 'publication') ORDER BY 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}
    finally:
        con.close()


def activate_segment(con: duckdb.DuckDBPyConnection, key: MasterKey, settings: Settings, segment,
                     export_id: str | None = None):
    """Activation as an operation: the newest source rows into the vault first (consent and accounts
    change between a refresh and a send), erased people kept erased, then ``audiences.activate``."""
    from anonymizer.pseudonymise import install_shared_macros
    from audiences.activate import activate

    extracted_from = con.execute("SELECT now()::TIMESTAMP").fetchone()[0]
    extract(con, Source.parse(settings.source))
    subjects.enforce(con, "activation", extracted_from)
    install_shared_macros(con)
    return activate(con, key, settings.data_dir, segment, datetime.now(), export_id)
