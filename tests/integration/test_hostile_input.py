"""Hostile input (pipelines/hostile_input.py) against the real `yihui run` process on `tiny`.

For each case: the exit code, the one line, the quarantine reason, the reconciliation, and
that the corrupted value reaches neither the screen nor any file outside the vault.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from core.schema import BY_NAME
from pipelines.hostile_input import EXTRA_COLUMN, Case, change_cases, drift_cases, row_cases
from tests.conftest import TEST_KEY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile")]

# Files of a data dir that may hold source values: the source itself, the encrypted vault and its spill
PRIVATE = ("source", "vault.duckdb", "vault.duckdb.wal", "tmp", "backups")


def _yihui(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIHUI_")}
    env.update(YIHUI_MASTER_KEY=TEST_KEY, DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false")
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--data-dir", str(data_dir)],
                          check=False, capture_output=True, text=True, env=env, timeout=600)


def _apply(data_dir: Path, cases: list[Case]) -> dict[str, int]:
    """Corrupt the source as each case says; the target row's key per case."""
    src = sqlite3.connect(data_dir / "source" / "ops.sqlite")
    keys = {}
    for case in cases:
        pk = BY_NAME[case.table].primary_key
        keys[case.name] = src.execute(f"SELECT {pk} FROM {case.table} ORDER BY {pk} LIMIT 1 OFFSET ?",
                                      [case.offset]).fetchone()[0]
        for sql in case.sql(keys[case.name]):
            src.execute(sql)
    src.commit()
    src.close()
    return keys


def _vault(data_dir: Path):
    from anonymizer.keys import parse_key
    from vault.session import open_vault

    return open_vault(data_dir, parse_key(TEST_KEY, "test"), read_only=True)


def _leaks(data_dir: Path, proc: subprocess.CompletedProcess, sentinels: list[str]) -> dict[str, list[str]]:
    found = {}
    for s in sentinels:
        where = ["screen"] if s in proc.stdout + proc.stderr else []
        needle = s.encode()
        for path in data_dir.rglob("*"):
            if path.is_file() and path.relative_to(data_dir).parts[0] not in PRIVATE and needle in path.read_bytes():
                where.append(str(path.relative_to(data_dir)))
        if where:
            found[s] = where
    return found


def _reconciles(data_dir: Path) -> dict[str, tuple]:
    """Tables of the latest run whose source rows != loaded + quarantined + withheld."""
    con = _vault(data_dir)
    try:
        rows = con.execute(
            "SELECT source_table, source_rows, loaded_rows, quarantined_rows, withheld_rows FROM vault.ops.reconciliation "
            "WHERE run_id = (SELECT max(run_id) FROM vault.ops.reconciliation)").fetchall()
    finally:
        con.close()
    assert len(rows) == 13
    return {t: (s, lo, q, w) for t, s, lo, q, w in rows if s != lo + q + w}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from pipelines.generate import generate
    from pipelines.source import Source

    data = tmp_path_factory.mktemp("hostile-source")
    generate(Source.parse(f"sqlite:///{data / 'source' / 'ops.sqlite'}"), "tiny", 42, with_bad_rows=False)
    return data


@pytest.fixture(scope="module")
def good_run(generated, tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("hostile-good")
    shutil.copytree(generated / "source", data / "source")
    proc = _yihui(data, "run")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return data


def _copy(src: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(src, data, ignore=shutil.ignore_patterns("gx", "tmp"))
    return data


def test_hostile_rows_are_quarantined_with_their_reason_while_the_rest_publishes(generated, tmp_path):
    data = _copy(generated, tmp_path)
    cases = row_cases()
    keys = _apply(data, cases)
    proc = _yihui(data, "run")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    con = _vault(data)
    try:
        verdicts = set(con.execute("SELECT source_table, source_key, reason_code FROM vault.quarantine.current"
                                   ).fetchall())
        unkeyed = dict(con.execute("SELECT source_table, count(*) FROM vault.quarantine.current "
                                   "WHERE source_key IS NULL GROUP BY 1").fetchall())
        missed = []
        for case in cases:
            if case.reason == "missing_key":
                ok = unkeyed.get(case.table) == 1
            elif case.reason:
                ok = (case.table, keys[case.name], case.reason) in verdicts
            else:
                ok = not any(t == case.table and k == keys[case.name] for t, k, _ in verdicts)
            if not ok:
                missed.append(case.name)
        assert missed == []
        # an offset is converted to the source's wall clock (UTC+8), not dropped
        converted = con.execute("SELECT occurred_at FROM vault.raw.access_logs WHERE log_id = ?",
                                [keys["timestamp_with_offset"]]).fetchone()[0]
        assert converted == datetime(2026, 11, 1, 10, 0)
        duplicates = con.execute("SELECT count(*) FROM vault.quarantine.current WHERE source_table = 'consent_events' "
                                 "AND reason_code = 'duplicate_key'").fetchone()[0]
        assert duplicates == 2  # both copies, each a row
        as_of = con.execute("SELECT max(as_of_date) FROM vault.ops.runs").fetchone()[0]
    finally:
        con.close()
    assert as_of.year == 2026  # the 2030 and 9999 stamps did not move the release's date
    assert _reconciles(data) == {}
    assert _leaks(data, proc, [c.sentinel for c in cases if c.sentinel]) == {}


def test_changes_a_watermark_would_miss_land_by_content(good_run, tmp_path):
    data = _copy(good_run, tmp_path)
    keys = _apply(data, change_cases())
    proc = _yihui(data, "run")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    con = _vault(data)
    try:
        status = con.execute("SELECT status FROM vault.raw.orders WHERE order_id = ?",
                             [keys["back_dated_update"]]).fetchall()
        payment = keys["delete_and_back_dated_insert"]
        payments = {k for (k,) in con.execute("SELECT payment_id FROM vault.raw.payments WHERE payment_id IN (?, ?)",
                                              [payment, payment + 1_000_000_000]).fetchall()}
        logs = con.execute("SELECT reason_code, count(*) FROM vault.quarantine.current WHERE source_table = "
                           "'access_logs' AND source_key = ? GROUP BY 1", [keys["duplicate_key_after_good_run"]]
                           ).fetchall()
    finally:
        con.close()
    assert status == [("cancelled",)]
    assert payments == {payment + 1_000_000_000}
    assert logs == [("duplicate_key", 2)]  # neither copy replaced the other silently
    assert _reconciles(data) == {}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", drift_cases(), ids=lambda c: c.name)
def test_schema_drift_stops_the_run_with_one_line_before_anything_is_written(good_run, tmp_path, case):
    data = _copy(good_run, tmp_path)
    before = _digest(data / "warehouse.duckdb")
    con = _vault(data)
    runs_before = con.execute("SELECT count(*) FROM vault.ops.runs").fetchone()[0]
    con.close()
    _apply(data, [case])
    proc = _yihui(data, "run")
    assert proc.returncode == 1
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error:")]
    assert len(errors) == 1 and case.error in errors[0], lines[-5:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert _digest(data / "warehouse.duckdb") == before
    con = _vault(data)
    try:
        assert con.execute("SELECT count(*) FROM vault.ops.runs").fetchone()[0] == runs_before
    finally:
        con.close()


def test_an_extra_source_column_is_ignored_and_named_once(good_run, tmp_path):
    data = _copy(good_run, tmp_path)
    _apply(data, [EXTRA_COLUMN])
    proc = _yihui(data, "run")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    named = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "wechat_nickname" in ln]
    assert len(named) == 1 and "ignored" in named[0]
