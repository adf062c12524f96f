"""Build: dbt models and tests over the pseudonymised build database, then publish the release.

dbt runs as a subprocess on two files under ``<data>/build/next/``: the build
database (pseudonymised sources, staging, intermediate, the audience base:
individual-level, never published) and, attached as ``release``, the release
file that holds only what analysts receive (models configured
``+database: release``).  Only when every model, test and gate passed is the
release moved over ``<data>/warehouse.duckdb`` with an atomic rename, so
analysts never see a half-built, failing or unassessed release, and a reader
holding the old file open keeps reading it.  The build database then becomes
``<data>/build/internal.duckdb`` (0600) for marketing and subject requests.
dbt gets no key and no vault path, and runs under umask 077.  Its target/ and
logs go under the data folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core import faults
from core.fonts import FONT_FAMILY, MONO_FAMILY
from core.settings import Settings
from pipelines.errors import BuildFailed


def prepare_next(settings: Settings, reuse: bool = False) -> None:
    """A new ``build/next`` (owner-only) for a new build pair: empty, or with ``reuse`` a copy of the
    published build database to update in place (``anonymizer.changes.reusable`` says when).

    Why a copy and not the file itself: marketing and subject requests read the published one until
    the next publish, and a run that fails must leave it as it was."""
    for path in (settings.layout.staging_path, settings.layout.release_staging_path):
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    for folder in (settings.layout.build_dir, settings.layout.next_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    if reuse:
        shutil.copyfile(settings.layout.internal_path, settings.layout.staging_path)
        settings.layout.staging_path.chmod(0o600)


def dbt_env(settings: Settings, warehouse: Path, release: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "YIHUI_MASTER_KEY"}  # dbt never needs the key
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_PROFILES_DIR=str(settings.project_dir / "profiles"),
        DBT_PROJECT_DIR=str(settings.project_dir),
        DBT_TARGET_PATH=str(settings.layout.dbt_target),
        DBT_LOG_PATH=str(settings.layout.dbt_logs),
        YIHUI_WAREHOUSE_PATH=str(warehouse),
        YIHUI_RELEASE_PATH=str(release or settings.layout.release_staging_path),
        YIHUI_THREADS=str(settings.threads),
        YIHUI_DBT_MEMORY_LIMIT=settings.dbt_memory_limit,
    )
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


@dataclass
class BuildResult:
    passed: int
    failed: int
    warned: int
    failures: list[str]
    # dbt's wall time split by node kind (model, test, unit_test, seed...): dbt runs nodes on
    # several threads, so each kind gets the wall time in proportion to its busy time
    seconds_by_kind: dict[str, float] = field(default_factory=dict)
    scanned_only_new_rows: bool = False  # the sources' raw-identifier scans read only this run's rows


def attribute_wall_time(run_results: dict) -> dict[str, float]:
    """Why proportional: with threads, tests overlap models, and their interval unions overlap too;
    the validation-cost target needs one figure per kind that adds up to dbt's elapsed time."""
    busy: dict[str, float] = {}
    for r in run_results.get("results", []):
        kind = r["unique_id"].split(".", 1)[0]
        busy[kind] = busy.get(kind, 0.0) + float(r.get("execution_time") or 0.0)
    total = sum(busy.values())
    elapsed = float(run_results.get("elapsed_time") or 0.0)
    return {k: elapsed * b / total for k, b in busy.items()} if total else {}


def run_dbt(settings: Settings, warehouse: Path, as_of: date, args: list[str],
            env: dict[str, str] | None = None, executable: str | None = None,
            release: Path | None = None) -> BuildResult:
    cmd = [executable or dbt_executable(), *args]
    (release or settings.layout.release_staging_path).parent.mkdir(parents=True, exist_ok=True)
    # the reference date as an env var (macros/as_of.sql), not --vars: a changed var makes dbt parse
    # the whole project again, a changed env var only the files that read it (4.1-4.4 s vs 2.7 s on tiny)
    proc = run_child(cmd, cwd=settings.project_dir,
                     env={**dbt_env(settings, warehouse, release), "YIHUI_AS_OF": as_of.isoformat(), **(env or {})})
    results_file = settings.layout.dbt_target / "run_results.json"
    passed = failed = warned = 0
    failures: list[str] = []
    seconds: dict[str, float] = {}
    if results_file.exists():
        run_results = json.loads(results_file.read_text())
        seconds = attribute_wall_time(run_results)
        for r in run_results["results"]:
            status = r["status"]
            if status in ("success", "pass"):
                passed += 1
            elif status == "warn":
                warned += 1
            elif status not in ("skipped", "no-op"):  # exposures report no-op
                failed += 1
                failures.append(f"{r['unique_id']}: {status}")
    if proc.returncode != 0:
        tail = "; ".join(failures[:5]) or _last_error(proc.stdout + proc.stderr)
        raise BuildFailed(f"dbt {args[0]} failed ({failed} failing): {tail}. "
                          f"Full log: {settings.layout.dbt_logs / 'dbt.log'}")
    return BuildResult(passed, failed, warned, failures, seconds)


def run_child(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """dbt in a process group of its own, ended with everything it started if we stop.

    Its own group, so a Ctrl-C at the terminal reaches only us and we decide how
    dbt ends; on any exception (``Interrupted`` by SIGINT/SIGTERM included) the
    group gets SIGTERM, then SIGKILL after a grace period: no dbt outlives us
    still writing the build database the next run prepares afresh."""
    with subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          umask=0o077, start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate()
        except BaseException:
            _end_group(proc)
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def _end_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    try:
        _signal_group(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    finally:  # also when a second signal cuts the grace short
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:  # the whole group has already gone
        pass


def _last_error(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if "error" in ln.lower()]
    return lines[-1][:300] if lines else "see the dbt log"


def staged_as_of(settings: Settings) -> date:
    """The reference date the next build database was pseudonymised at (ages are computed at it)."""
    import duckdb

    warehouse = settings.layout.staging_path
    if not warehouse.exists():
        raise BuildFailed(f"no pseudonymised warehouse at {warehouse}: run `yihui pseudonymise` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT as_of_date FROM meta.build_info").fetchone()[0]
    finally:
        con.close()


def build(settings: Settings, as_of: date | None = None) -> BuildResult:
    """``dbt build`` (seeds, models, tests, unit tests) into the next build database and release.

    Every released column must declare its privacy class first (``anonymizer.release``):
    an unclassified column stops the build before dbt runs."""
    from anonymizer.release import check_classes

    staged = staged_as_of(settings)
    if as_of is not None and as_of != staged:
        raise BuildFailed(f"the next build database was pseudonymised as of {staged}, not {as_of}: "
                          "run `yihui pseudonymise` with the same --as-of")
    check_classes(settings.project_dir)
    settings.layout.release_staging_path.unlink(missing_ok=True)
    only = raw_scan_only(settings)
    _raw_scan_state(settings, only)
    try:
        result = run_dbt(settings, settings.layout.staging_path, staged, ["build"])
    except BaseException:  # the limit holds for this build only: a later dbt build scans every row
        _raw_scan_state(settings, None)
        raise
    _raw_scan_state(settings, None, passed=True)
    result.scanned_only_new_rows = only is not None
    return result


# What dbt's raw-identifier scan is: when it changes, every pseudonymised row is scanned again
_SCAN_CODE = ("macros/tests/no_raw_identifiers.sql", "macros/cross_db")


def _scan_fingerprint(project_dir: Path) -> str:
    h = hashlib.sha256()
    for part in _SCAN_CODE:
        path = project_dir / part
        for f in sorted(path.rglob("*.sql")) if path.is_dir() else [path]:
            h.update(f.read_bytes())
    return h.hexdigest()


def raw_scan_only(settings: Settings) -> dict[str, str] | None:
    """The rows of the pseudonymised sources dbt scans for raw identifiers: only those this run wrote
    when the next build database is the last one updated in place and the scan that build passed
    (``meta.raw_identifier_scan``) is this one; None: every row.

    Why that is enough: a build database is published only after every test passed, so each row it
    keeps passed this scan in the build that wrote it (``anonymizer.pseudonymise.WRITTEN_IN``)."""
    import duckdb

    from anonymizer.pseudonymise import WRITTEN_IN

    con = duckdb.connect(str(settings.layout.staging_path), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' "
                           "AND table_name = 'raw_identifier_scan'").fetchone()[0]:
            return None
        scanned = con.execute("SELECT fingerprint FROM meta.raw_identifier_scan").fetchone()
        run_id = con.execute("SELECT run_id FROM meta.build_info").fetchone()[0]
    finally:
        con.close()
    if scanned is None or scanned[0] != _scan_fingerprint(settings.project_dir):
        return None
    return {"column": WRITTEN_IN, "value": run_id}


def _raw_scan_state(settings: Settings, only: dict[str, str] | None, passed: bool = False) -> None:
    """``meta.raw_scan_only`` in the next build database: the stamp column and run id the scan keeps to
    (``macros/tests/no_raw_identifiers.sql`` reads it when the test runs), or no such table; and once
    a build passed every test, ``meta.raw_identifier_scan``: which scan its rows passed, for the next
    run's copy.

    A table, not a dbt var: dbt parses the whole project again whenever its vars change, and the run
    id changes every run (2.3 s of parsing on every run, at any scale)."""
    import duckdb

    con = duckdb.connect(str(settings.layout.staging_path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        if only is None:
            con.execute("DROP TABLE IF EXISTS meta.raw_scan_only")
        else:
            con.execute("CREATE OR REPLACE TABLE meta.raw_scan_only AS SELECT ? AS column_name, ? AS run_id",
                        [only["column"], only["value"]])
        if passed:
            con.execute("CREATE OR REPLACE TABLE meta.raw_identifier_scan AS SELECT ? AS fingerprint",
                        [_scan_fingerprint(settings.project_dir)])
    finally:
        con.close()


def release_as_of(warehouse: Path) -> date:
    """The reference date of a published release (its ``governance.release_info``)."""
    import duckdb

    if not warehouse.exists():
        raise BuildFailed(f"no warehouse at {warehouse}: run `yihui run` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT as_of_date FROM governance.release_info").fetchone()[0]
    finally:
        con.close()


def docs(settings: Settings) -> Path:
    """dbt's model and column docs, catalogued from the published release only, as one static page.

    dbt opens a throw-away copy of the release and an empty build database, never the real
    build database: the docs describe what analysts receive."""
    import tempfile

    as_of = release_as_of(settings.layout.warehouse_path)
    with tempfile.TemporaryDirectory(dir=settings.data_dir) as tmp:
        release = Path(tmp) / "release.duckdb"
        shutil.copyfile(settings.layout.warehouse_path, release)
        run_dbt(settings, Path(tmp) / "empty.duckdb", as_of, ["docs", "generate", "--static"], release=release)
    out = settings.layout.docs_page
    out.parent.mkdir(parents=True, exist_ok=True)
    page = (settings.layout.dbt_target / "static_index.html").read_text(encoding="utf-8")
    out.write_text(page.replace("</head>", CJK_STYLE + "</head>", 1), encoding="utf-8")
    return out


# dbt's page names Latin fonts only: our descriptions and SQL comments are half Chinese
CJK_STYLE = ("<style>body, body *:not(code):not(pre):not(code *):not(pre *) "
             f"{{ font-family: {FONT_FAMILY} !important; }} code, pre, code *, pre * "
             f"{{ font-family: {MONO_FAMILY} !important; }}</style>")


def publish(settings: Settings) -> Path:
    """Atomically replace the analysts' warehouse with the next release, then keep the next build
    database as the internal one (owner-only) for marketing and subject requests."""
    release, dst = settings.layout.release_staging_path, settings.layout.warehouse_path
    faults.point("publish")  # (tests) every gate passed, the rename not done
    release.chmod(0o644)  # the anonymous release is for reading; the build database stays the owner's
    os.replace(release, dst)
    settings.layout.staging_path.chmod(0o600)
    os.replace(settings.layout.staging_path, settings.layout.internal_path)
    return dst
