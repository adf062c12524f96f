"""Validate: Great Expectations checkpoints over the landing data, before anything is tokenised.

Suites are GX JSON under ``expectations/suites`` (version-controlled).  The
contract of an expectation:

* ``meta.reason_code`` set: a row-level rule.  Failing rows go to quarantine
  with that reason; the run goes on with the good rows.
* no reason code, ``severity: critical``: a table-level gate.  Failure stops the
  run before anything is published, naming the suite, expectation and count.
* ``severity: warning``: recorded and shown in the run summary.

Cross-table and library checks are fed to GX as helper columns computed here
(``_orphan_<fk>``, ``_parent_quarantined_<fk>``, ``_id_problem`` (the SQL
twin of python-stdnum's judgement), ``_birthday_in_future``…): GX's SQL route does not work with
DuckDB (stack notes), so GX validates pandas frames read from the vault.
Tables are validated parents first, so a child of a quarantined row is
quarantined too (``parent_quarantined``) instead of being silently lost.

GX stores its results under ``<data>/gx``; they hold counts and row ids only
(``exclude_unexpected_values``), never the offending values.  GX's Data Docs are
not built (CDN assets, a remote logo request, unexpected values on its pages):
the run's quality page, ``<data>/reports/quality/quality.html``, shows every
suite and expectation with its result and counts (``pipelines.quality_report``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from core import faults
from core.idnumbers import RESIDENT_ID
from core.layout import PROJECT
from core.schema import INGESTED, Table
from core.settings import Settings
from pipelines import boundary, quality_report, quarantine
from pipelines.errors import ValidationFailed
from pipelines.subjects import withheld_counts
from vault import schema as vault_schema

# Rows per GX frame: whole city tables as pandas frames took the validate stage past 6 GB; frames of
# 1M rows peaked at 3.75 GB, 500k at 2.75 GB in the same time (36.9 s), 250k at 2.6 GB but 46 s
FRAME_ROWS = 500_000


@dataclass
class ValidationResult:
    quarantined: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    data_docs: Path | None = None  # the run's quality page (pipelines.quality_report), not GX's site
    critical: list[str] = field(default_factory=list)  # failed table-level gates: the run stops
    tally: quality_report.Tally = field(default_factory=quality_report.Tally)  # counts of this run's GX results
    rechecked: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (rows GX checked, rows judged)


def _suite(table: Table) -> dict:
    return json.loads((PROJECT.suites_dir / f"landing__{table.name}.json").read_text())


def _natural_keys(table: Table) -> list[str]:
    """Columns the suite wants unique beyond the primary key: checked as ``_duplicate_<col>`` helpers,
    counted over the whole table, because frames are validated in primary-key chunks."""
    helpers = (e["kwargs"].get("column", "") for e in _suite(table)["expectations"])
    return [c.removeprefix("_duplicate_") for c in helpers if c.startswith("_duplicate_")]


def _chunks(con: duckdb.DuckDBPyConnection, table: Table) -> list[tuple[int, int] | None]:
    """Primary-key ranges of about FRAME_ROWS of the rows to re-check, or one unbounded frame for a
    few rows or none: the frames in memory stay bounded at any scale."""
    ranges = con.execute(
        f"SELECT min(source_key), max(source_key) FROM (SELECT source_key, (row_number() OVER (ORDER BY source_key) "
        f"- 1) // {FRAME_ROWS} AS chunk FROM {_judged(table)} WHERE recheck) GROUP BY chunk ORDER BY 1").fetchall()
    return [None] if len(ranges) <= 1 else [(int(lo), int(hi)) for lo, hi in ranges]


def _judged(table: Table) -> str:
    """Every row validation judges this run, with what its verdict depends on and whether GX re-checks it;
    shared by the frame reader, which writes it, and the main thread, which keeps its verdicts."""
    return f"memory.main._judged_{table.name}"


def fingerprint(table: Table) -> str:
    """What the verdicts of a table's rows also depend on besides the rows: its suite and GX's version."""
    import hashlib
    from importlib.metadata import version

    text = json.dumps(_suite(table), sort_keys=True) + version("great_expectations")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def judge(con: duckdb.DuckDBPyConnection, table: Table, frame: Frame, full: bool) -> bool:
    """Which rows GX checks again: those whose content or context (helper columns, suite) changed since their
    last check, or every row when ``full``; the others keep their verdicts (``quarantine.flags``).

    A row's verdict is a function of its content (``_row_hash``), its helper columns (where the
    whole table, parents, IDs and the reference date come in) and the suite: equal all three, equal
    verdict.  If no row changed, the first row is checked again, so the table-level expectations
    (columns, row count) are judged every run.  Returns whether only some rows are re-checked."""
    context = f"hash({', '.join([repr(fingerprint(table)), *frame.helpers])})"
    rows = f"SELECT {table.primary_key} AS source_key, _row_hash AS row_hash, {context} AS context FROM ({frame.select})"
    if full:
        con.execute(f"CREATE OR REPLACE TABLE {_judged(table)} AS SELECT *, true AS recheck FROM ({rows})")
        return False
    con.execute(
        f"CREATE OR REPLACE TABLE {_judged(table)} AS SELECT j.*, c.source_key IS NULL AS recheck FROM ({rows}) j "
        f"LEFT JOIN {vault_schema.checked(table.name)} c "
        "ON c.source_key = j.source_key AND c.row_hash = j.row_hash AND c.context = j.context")
    rechecked, judged = con.execute(f"SELECT count(*) FILTER (recheck), count(*) FROM {_judged(table)}").fetchone()
    if judged and not rechecked:
        con.execute(f"UPDATE {_judged(table)} SET recheck = true WHERE source_key = "
                    f"(SELECT min(source_key) FROM {_judged(table)})")
        rechecked = 1
    return rechecked < judged


@dataclass
class Frame:
    """What GX checks of a table: the landing rows (with ``_row_hash``) and the helper columns.

    ``lookups`` are whole-table sets (duplicated keys, parent keys, guardian
    consents) to materialise once as TEMP tables; ``select`` joins them and
    ends in a WHERE to which a primary-key range is appended per frame;
    ``helpers`` name the helper columns, everything a row's verdict depends on
    besides its own content."""

    lookups: dict[str, str]
    select: str
    helpers: list[str]


def _frame_sql(table: Table, as_of: date) -> Frame:
    """The landing rows plus the helper columns the suite checks."""
    extra, joins, lookups = [], [], {}
    held = (f"{table.primary_key} NOT IN (SELECT source_key FROM vault.ops.legal_hold "
            f"WHERE source_table = '{table.name}')")  # held rows are withheld, not validated
    for i, col in enumerate(_natural_keys(table)):
        extra.append(f"(d{i}.{col} IS NOT NULL) AS _duplicate_{col}")
        lookups[f"_d{i}"] = (f"SELECT {col} FROM vault.raw.{table.name} WHERE {col} IS NOT NULL AND {held} "
                             f"GROUP BY {col} HAVING count(*) > 1")
        joins.append(f"LEFT JOIN _d{i} d{i} ON d{i}.{col} = r.{col}")
    for i, (col, target) in enumerate(table.foreign_keys.items()):
        parent, parent_col = target.split(".")
        pk = next(t.primary_key for t in INGESTED if t.name == parent)
        assert pk == parent_col
        # only the exceptions, kept small: the frames join them instead of whole parent key sets
        extra.append(f"(o{i}.{col} IS NOT NULL) AS _orphan_{col}")
        extra.append(f"(q{i}.{pk} IS NOT NULL) AS _parent_quarantined_{col}")
        lookups[f"_o{i}"] = (f"SELECT DISTINCT {col} FROM vault.raw.{table.name} WHERE {col} IS NOT NULL "
                             f"EXCEPT SELECT {pk} FROM vault.raw.{parent}")
        lookups[f"_q{i}"] = f"SELECT {pk} FROM vault.raw.{parent} EXCEPT SELECT {pk} FROM landing.{parent}"
        joins.append(f"LEFT JOIN _o{i} o{i} ON o{i}.{col} = r.{col}")
        joins.append(f"LEFT JOIN _q{i} q{i} ON q{i}.{pk} = r.{col}")
    if table.name == "insured_persons":
        extra.append(f"(r.birthday > DATE '{as_of.isoformat()}') AS _birthday_in_future")
        extra.append("(r.birthday < DATE '1900-01-01') AS _birthday_before_1900")
        extra.append(
            f"(r.id_type <> '{RESIDENT_ID}' OR r.id_number IS NULL OR length(r.id_number) <> 18 "
            "OR TRY_CAST(substr(r.id_number, 17, 1) AS INTEGER) IS NULL "
            "OR id_sex(r.id_number) = r.sex) AS _sex_matches_id"
        )
        # §七: an under-18 needs a guardian's consent recorded in the source (the latest guardian event granted)
        extra.append(f"coalesce(age_at(birth_date(r.id_type, r.id_number, r.birthday), DATE '{as_of.isoformat()}') < 18 "
                     "AND NOT coalesce(guardian.granted, false), false) AS _guardian_consent_missing")
        lookups["_guardian"] = ("SELECT person_id, status = 'granted' AS granted FROM vault.raw.consent_events "
                                "WHERE scope = 'guardian' QUALIFY row_number() OVER (PARTITION BY person_id "
                                "ORDER BY occurred_at DESC, status = 'revoked' DESC) = 1")
        joins.append("LEFT JOIN _guardian AS guardian ON guardian.person_id = r.person_id")
        extra.append(
            f"(r.id_type <> '{RESIDENT_ID}' OR r.id_number IS NULL OR r.birthday IS NULL "
            "OR id_birth_date(r.id_number) IS NULL OR id_birth_date(r.id_number) = r.birthday) AS _birthday_matches_id"
        )
    if table.name == "certificates":
        extra.append("(r.coverage_end >= r.coverage_start) AS _coverage_ordered")
    if "id_number" in table.column_names:
        extra.append(f"CASE WHEN r.id_type = '{RESIDENT_ID}' THEN idp.problem END AS _id_problem")
        joins.append("LEFT JOIN id_problems AS idp ON idp.id_number = r.id_number")
    cols = ", ".join(["r.* EXCLUDE (_extracted_at, _problems, _source_json)", *extra])
    # rows the boundary already quarantined (bad values, no key, a repeated key, a future time) are not checked again
    unquarantined = (f"r.{table.primary_key} NOT IN (SELECT source_key FROM vault.quarantine.current "
                     f"WHERE source_table = '{table.name}' AND source_key IS NOT NULL)")
    select = (f"SELECT {cols} FROM vault.raw.{table.name} r {' '.join(joins)} "
              f"WHERE r.{table.primary_key} IS NOT NULL AND r.{held} AND {unquarantined}")
    return Frame(lookups, select, [e.rsplit(" AS ", 1)[1] for e in extra])


def boundary_verdicts(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Quarantine what the boundary found, before GX sees a frame: one reason per row.

    A value that did not fit its column (the extract's ``_problems``), a row stamped in the
    future (judged now, not at extract: its time may come), and every copy of a repeated key
    (whatever order they came in: neither can be told to be the right one).
    """
    for table in INGESTED:
        pk = table.primary_key
        first = "split_part(_problems, ';', 1)"
        judged = (  # each test once per row; the first that holds gives the reason
            f"SELECT {pk}, _row_hash, _problems, {boundary.future(table) or 'false'} AS _future, {pk} IN (SELECT {pk} "
            f"FROM vault.raw.{table.name} WHERE {pk} IS NOT NULL GROUP BY {pk} HAVING count(*) > 1) AS _repeated "
            f"FROM vault.raw.{table.name} WHERE {pk} IS NULL OR {pk} NOT IN (SELECT source_key FROM vault.ops.legal_hold "
            f"WHERE source_table = '{table.name}')")
        rows = (
            f"SELECT {pk} AS source_key, CASE WHEN _problems IS NOT NULL THEN split_part({first}, ':', 1) "
            f"WHEN _future THEN '{boundary.FUTURE}' ELSE '{boundary.DUPLICATE_KEY}' END AS reason_code, "
            f"'boundary(' || CASE WHEN _problems IS NOT NULL THEN split_part({first}, ':', 2) "
            f"WHEN _future THEN 'timestamp' ELSE '{pk}' END || ')' AS rule, _row_hash AS row_hash "
            f"FROM ({judged}) WHERE _problems IS NOT NULL OR _future OR _repeated")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _verdicts AS {rows}")
        quarantine.record(con, run_id, table, "_verdicts")
        con.execute("DROP TABLE _verdicts")


def check_id_numbers(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """TEMP ``id_problems(id_number, problem)``: every unusable resident ID in the vault, and why.

    Each distinct number is judged once (people's numbers recur on
    certificates), in SQL: the ``resident_id_problem`` macro is the twin of
    ``core.idnumbers.resident_id_problem`` (python-stdnum's checksum and
    calendar), held equal by tests; set-based it takes about 4 s on city where
    python-stdnum one number at a time took 14 s.  Only the problems are kept,
    and the frames join them in.  A NULL number is its own rule
    (missing_required_field).
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE id_problems AS "
        "WITH ids AS (SELECT DISTINCT id_number FROM (SELECT id_type, id_number FROM vault.raw.insured_persons "
        "UNION ALL SELECT id_type, id_number FROM vault.raw.certificates) "
        f"WHERE id_type = '{RESIDENT_ID}' AND id_number IS NOT NULL), "
        f"regions AS (SELECT region_code FROM read_csv('{PROJECT.seed('regions')}', all_varchar = true)), "
        "judged AS (SELECT id_number, coalesce(resident_id_problem(id_number, ?::DATE), "
        "CASE WHEN substr(id_number, 1, 6) NOT IN (SELECT region_code FROM regions) THEN 'unknown_region' END) "
        "AS problem FROM ids) "
        "SELECT * FROM judged WHERE problem IS NOT NULL", [as_of])


class _Frames:
    """The landing frames, read by a second thread one frame ahead of GX.

    GX is pure Python on one core, while reading a frame (the helper joins in
    DuckDB, Arrow to pandas) mostly runs with the GIL released.  So a thread on
    its own cursor prepares the next frame while GX checks the current one.
    At most two frames exist at a time (``_alive``).  A table's frames wait
    until its foreign-key parents are finished (``finished``), because
    ``_parent_quarantined_*`` reads their fresh quarantine verdicts.
    """

    _END = object()

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: date, full: bool):
        import queue
        import threading

        self._cursor = con.cursor()  # its own session (TEMP lookups and macros) on the same vault
        self._as_of = as_of
        self._full = full
        self._queue: queue.Queue = queue.Queue()
        self._alive = threading.Semaphore(2)
        self._stop = threading.Event()
        self._finished = {t.name: threading.Event() for t in INGESTED}
        self._thread = threading.Thread(target=self._produce, name="landing-frames", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        from anonymizer.pseudonymise import install_shared_macros

        cur = self._cursor
        try:
            install_shared_macros(cur)  # age_at, id_birth_date: the same derivations the pseudonymiser uses
            first_with_ids = next(t for t in INGESTED if "id_number" in t.column_names)
            for table in INGESTED:
                if table is first_with_ids:
                    check_id_numbers(cur, self._as_of)  # 4 s on city, while GX checks the tables before
                for target in table.foreign_keys.values():
                    self._wait(self._finished[target.split(".")[0]].wait)
                frame = _frame_sql(table, self._as_of)
                for name, sql in frame.lookups.items():  # once per table, not once per frame
                    cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
                some = judge(cur, table, frame, self._full)
                pk = table.primary_key
                for bounds in _chunks(cur, table):
                    self._wait(self._alive.acquire)
                    sql = frame.select + (f" AND r.{pk} BETWEEN {bounds[0]} AND {bounds[1]}" if bounds else "")
                    if some:
                        sql += f" AND r.{pk} IN (SELECT source_key FROM {_judged(table)} WHERE recheck)"
                    # Through Arrow: DuckDB's own .df() took 2-3x longer on city (11.6 s vs 4.7 s for certificates)
                    self._queue.put((bounds, cur.execute(f"SELECT * EXCLUDE (_row_hash) FROM ({sql})")
                                     .to_arrow_table().to_pandas(date_as_object=False)))
                for name in frame.lookups:
                    cur.execute(f"DROP TABLE {name}")
                self._queue.put((None, self._END))
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 (any failure, raised again by the consumer in the main thread)
            self._queue.put((None, exc))

    def _wait(self, wait) -> None:
        while not wait(timeout=0.2):
            if self._stop.is_set():
                raise _Stopped

    def of(self, table: Table) -> Iterator[tuple[tuple[int, int] | None, pd.DataFrame]]:
        """(key range, frame) for each frame of ``table``, in key order; the caller holds one at a time."""
        while True:
            bounds, item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield bounds, item
            self._alive.release()

    def finished(self, table: Table) -> None:
        """``table``'s quarantine verdicts are written: its children may be read."""
        self._finished[table.name].set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._cursor.close()


class _Stopped(Exception):
    pass


_preloading: list = []


def preload() -> None:
    """Start importing GX (4-5 s of Python) on a thread: ``yihui run`` calls this before the extract,
    which waits on DuckDB with the GIL released, so validation does not pay for the import."""
    import importlib
    import threading

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not _preloading:
        thread = threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True)
        thread.start()
        _preloading.append(thread)


def _context(settings: Settings):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for thread in _preloading:
        thread.join()  # finished (or failed: the import below then says why), never imported twice at once
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch below this size (MD5 over pandas' hash of every cell) only to
    # write it into the result's batch markers; nothing reads it back.  On city it was 11 s of the 25 s
    # spent inside GX.  Results name their run and key range instead; a test checks this stays off.
    pandas_execution_engine.HASH_THRESHOLD = 0

    root = settings.layout.gx_dir
    _fresh_project(root / "gx")
    ctx = gx.get_context(mode="file", project_root_dir=str(root))
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return gx, ctx


def _fresh_project(project: Path) -> None:
    """Remove GX's configuration (suites, checkpoints, its YAML), keeping only the stored results.

    Every run writes that configuration again from ``expectations/``, and GX writes its files in
    place: a run stopped by a signal while GX wrote one left half a JSON file that stopped every run
    after it.  Starting from none makes a stopped run's leftovers harmless."""
    import shutil

    if not project.exists():
        return
    for entry in project.iterdir():
        if entry.name == "uncommitted":
            for inner in entry.iterdir():
                if inner.name != "validations":
                    shutil.rmtree(inner) if inner.is_dir() else inner.unlink()
        elif entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _checkpoint(gx, ctx, table: Table):
    """Get-or-create the datasource, asset, suite, validation definition and checkpoint for a table."""
    name = f"landing__{table.name}"
    suite = ctx.suites.add_or_update(gx.ExpectationSuite(**_suite(table)))
    source = ctx.data_sources.add_or_update_pandas(name="landing")
    try:
        asset = source.get_asset(table.name)
    except LookupError:
        asset = source.add_dataframe_asset(name=table.name)
    try:
        batch = asset.get_batch_definition("whole_table")
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe("whole_table")
    vd = ctx.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    return ctx.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=[vd],
            actions=[],  # no Data Docs: the run's quality page is written from the results (see validate)
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [table.primary_key],
                "partial_unexpected_count": 0,
                "exclude_unexpected_values": True,  # ids only: values never reach GX's files
                "return_unexpected_index_query": False,
            },
        )
    )


def validate(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, as_of: date,
             source_rows: dict[str, int], full: bool = False) -> ValidationResult:
    """Validate every landing table, refresh the quarantine, and reconcile counts.

    GX checks only the rows whose content or context changed since their last check (``judge``), or
    every row when ``full``; the quarantine, the warnings and the quality page still cover every row."""
    import logging

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    con.execute("DELETE FROM vault.quarantine.current")
    quarantine.create_landing_views(con)
    boundary_verdicts(con, run_id)
    frames = _Frames(con, as_of, full)
    try:
        gx, ctx = _context(settings)
        result = _validate_tables(con, gx, ctx, frames, run_id, source_rows)
    finally:
        frames.close()
        _give_back_frames()
    result.quarantined = quarantine.counts_by_reason(con)
    result.data_docs = quality_report.write(result.tally, settings.data_dir, run_id, as_of.isoformat(),
                                            result.quarantined)
    stale = settings.layout.gx_dir / "gx" / "uncommitted" / "data_docs"
    if stale.exists():  # GX's site of an older run: offline it shows nothing, and nothing updates it
        import shutil

        shutil.rmtree(stale)
    if result.critical:
        raise ValidationFailed("critical expectations failed, nothing published: " + "; ".join(result.critical))
    return result


def _give_back_frames() -> None:
    """Return the freed frames' memory to the system before tokenising allocates its own.

    The frames are built on the reader thread, in a glibc malloc arena of its own, and glibc keeps
    a thread arena's freed pages until asked: on city 0.7 GB stayed in the process, under the first
    tokenising of every value (the run's peak, 3.7 GB).  Elsewhere than glibc there is nothing to ask."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def gx_run_identifier(name: str):
    """GX's run key for one checked frame, with its time given.

    Without a time GX reads one out of the name with dateutil, and a run id such as
    ``20261205T000848Z-7891ad`` reads as a UTC offset of -78:91 that fails only when the
    result is stored: about one run id in three thousand, at random.
    """
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=name, run_time=datetime.now(UTC))


def _validate_tables(con: duckdb.DuckDBPyConnection, gx, ctx, frames: _Frames, run_id: str,
                     source_rows: dict[str, int]) -> ValidationResult:
    result = ValidationResult()
    for table in INGESTED:
        checkpoint = _checkpoint(gx, ctx, table)
        flagged: list[tuple[int, str | None, str, str]] = []  # (key, reason code, rule, severity) of rows
        failures: dict[tuple[str, str], list] = {}  # table-level (rule, kind) -> the value of each chunk
        for bounds, df in frames.of(table):
            frame_name = run_id + (f"__{table.primary_key}_{bounds[0]}-{bounds[1]}" if bounds else "")
            outcome = checkpoint.run(batch_parameters={"dataframe": df}, run_id=gx_run_identifier(frame_name))
            for suite_result in outcome.run_results.values():
                result.tally.add(suite_result)
                for er in suite_result.results:
                    if er.success:
                        continue
                    cfg = er.expectation_config
                    reason = (cfg.meta or {}).get("reason_code")
                    rule = f"{cfg.type}({cfg.kwargs.get('column', '')})"
                    kind = "warning" if "warning" in str(cfg.severity).lower() else "critical"
                    if "unexpected_index_list" in er.result:  # a rule about rows: it names them
                        for entry in er.result["unexpected_index_list"] or []:
                            for key in entry.get(table.primary_key, []):
                                flagged.append((int(key), reason, rule, kind))
                    else:
                        failures.setdefault((rule, kind), []).append(
                            er.result.get("unexpected_count", er.result.get("observed_value")))
            del df, outcome  # GX holds one frame at a time, the reader one more
        rechecked, kept, kept_flags = _keep_verdicts(con, table, flagged)
        result.tally.carry(f"landing__{table.name}", kept, kept_flags)
        result.rechecked[table.name] = (rechecked, rechecked + kept)
        con.execute(f"DROP TABLE {_judged(table)}")
        for rule, kind, count in con.execute(
                "SELECT rule, severity, count(*) FROM vault.quarantine.flags WHERE source_table = ? "
                "AND reason_code IS NULL GROUP BY ALL ORDER BY ALL", [table.name]).fetchall():
            failures[(rule, kind)] = [count]
        for (rule, kind), counts in failures.items():
            count = sum(counts) if all(isinstance(c, int) for c in counts) else counts[0]
            if kind == "warning":
                result.warnings.append(f"landing__{table.name}: {rule} — {count} rows")
            else:
                result.critical.append(f"suite landing__{table.name}, expectation {rule}: {count}")
        # a key reaches GX only if it is unique, so it names one row
        con.execute(f"CREATE OR REPLACE TEMP TABLE _verdicts AS SELECT f.source_key, f.reason_code, f.rule, "
                    f"r._row_hash AS row_hash FROM vault.quarantine.flags f JOIN vault.raw.{table.name} r "
                    f"ON r.{table.primary_key} = f.source_key WHERE f.source_table = '{table.name}' "
                    "AND f.reason_code IS NOT NULL")
        quarantine.record(con, run_id, table, "_verdicts")
        con.execute("DROP TABLE _verdicts")
        frames.finished(table)
        faults.point("validate")  # (tests) one table's quarantine refreshed, the others not
        reconcile_table(con, run_id, table, source_rows.get(table.name))
    return result


def _keep_verdicts(con: duckdb.DuckDBPyConnection, table: Table,
                   flagged: list[tuple[int, str | None, str, str]]) -> tuple[int, int, dict[str, int]]:
    """Store what GX found on the rows it re-checked, in place of their earlier verdicts, and forget rows
    no longer judged (gone, held, quarantined at the boundary); returns the rows re-checked, the rows
    that kept their verdicts and those verdicts' counts by rule, for the quality page."""
    judged, checked = _judged(table), vault_schema.checked(table.name)
    kept = f"(SELECT source_key FROM {judged} WHERE NOT recheck)"
    rechecked, rows, had, stale = con.execute(
        f"SELECT count(*) FILTER (recheck), count(*) FILTER (NOT recheck), (SELECT count(*) FROM {checked}), "
        f"(SELECT count(*) FROM {checked} WHERE source_key IN (SELECT source_key FROM {judged} WHERE recheck)) "
        f"FROM {judged}").fetchone()
    con.execute("BEGIN")
    try:
        if not rows:  # every row checked again: a new table is cheaper than deleting every row
            con.execute(f"CREATE OR REPLACE TABLE {checked} AS SELECT source_key, row_hash, context FROM {judged}")
        else:  # rows gone since (or held, or quarantined at the boundary) forgotten too
            gone = had - rows - stale
            con.execute(f"DELETE FROM {checked} WHERE source_key " + (f"NOT IN {kept}" if gone else
                        f"IN (SELECT source_key FROM {judged} WHERE recheck)"))
            con.execute(f"INSERT INTO {checked} SELECT source_key, row_hash, context FROM {judged} WHERE recheck")
        con.execute(f"DELETE FROM vault.quarantine.flags WHERE source_table = ? AND source_key NOT IN {kept}",
                    [table.name])
        if flagged:
            con.register("_flagged", pd.DataFrame(flagged, columns=["source_key", "reason_code", "rule", "severity"]))
            con.execute(f"INSERT INTO vault.quarantine.flags SELECT '{table.name}', source_key, reason_code, rule, "
                        "severity FROM _flagged")
            con.unregister("_flagged")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    by_rule = dict(con.execute("SELECT rule, count(*) FROM vault.quarantine.flags WHERE source_table = ? AND "
                               f"source_key IN {kept} GROUP BY rule", [table.name]).fetchall())
    return rechecked, rows, by_rule


def reconcile_table(con: duckdb.DuckDBPyConnection, run_id: str, table: Table, source_rows: int | None) -> None:
    """One reconciliation row: source = loaded + quarantined + withheld (``source_rows`` None: the rows of the
    source as last extracted, for a run that extracted nothing itself)."""
    quarantined = quarantine.quarantined_rows(con, table)
    loaded = con.execute(f"SELECT count(*) FROM landing.{table.name}").fetchone()[0]
    withheld = withheld_counts(con).get(table.name, 0)
    if source_rows is None:
        # a vault landed before change detection by content has no source rows recorded
        source_rows = con.execute("SELECT count(*) FROM vault.ops.source_rows WHERE source_table = ?",
                                  [table.name]).fetchone()[0] or loaded + quarantined + withheld
    con.execute("INSERT INTO vault.ops.reconciliation VALUES (?, ?, ?, ?, ?, ?)",
                [run_id, table.name, source_rows, loaded, quarantined, withheld])
