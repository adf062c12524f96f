"""Faults: the real `yihui run` process killed (SIGKILL) at named points, sources gone, readers mid-publish.

After a kill, the next run must complete and publish marts identical (same
checksums) to an undisturbed run over the same source, with no staging
leftovers; a failed run must leave the last good warehouse as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core.faults import ENV, POINTS
from pipelines.checksum import warehouse_checksums
from tests.conftest import TEST_KEY

# Own group: these spend minutes in subprocesses, beside the other tiny tests on the second worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]

# Tables whose rows name the run that wrote them: they differ between any two runs by design.
RUN_SPECIFIC = {"governance.fct_pipeline_runs", "governance.fct_quarantine", "governance.release_info"}


def _yihui(data_dir: Path, *args: str, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIHUI_")}
    env.update(YIHUI_MASTER_KEY=TEST_KEY, DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false")
    if fault:
        env[ENV] = fault
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--data-dir", str(data_dir)],
                          check=False, capture_output=True, text=True, env=env, timeout=600)


def mart_checksums(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Content checksum per mart (order-independent, every column), run metadata aside."""
    return {t: c for t, c in warehouse_checksums(warehouse).items() if t not in RUN_SPECIFIC}


def _fresh(tiny_run, tmp_path: Path) -> Path:
    """A new data folder holding only the tiny run's operational source."""
    settings, _, _ = tiny_run
    data = tmp_path / "data"
    (data / "source").mkdir(parents=True)
    shutil.copyfile(settings.data_dir / "source" / "ops.sqlite", data / "source" / "ops.sqlite")
    return data


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_any_stage_is_completed_by_the_next_with_identical_marts(tiny_run, tmp_path, point):
    settings, _, _ = tiny_run
    data = _fresh(tiny_run, tmp_path)
    killed = _yihui(data, "run", fault=point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-2000:] + killed.stderr[-2000:]
    assert not (data / "warehouse.duckdb").exists(), "nothing is published by a killed first run"
    again = _yihui(data, "run")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert mart_checksums(data / "warehouse.duckdb") == mart_checksums(settings.layout.warehouse_path)
    assert not list((data / "build" / "next").iterdir()), "the next release pair is consumed by the publish"


def test_a_run_killed_before_publishing_leaves_the_last_good_warehouse_untouched(tiny_copy):
    before = tiny_copy.layout.warehouse_path.read_bytes()
    for point in ("pseudonymise", "build", "publish"):
        killed = _yihui(tiny_copy.data_dir, "run", fault=point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stdout[-1500:] + killed.stderr[-4000:])
        assert tiny_copy.layout.warehouse_path.read_bytes() == before, point
    again = _yihui(tiny_copy.data_dir, "run")
    assert again.returncode == 0, again.stdout[-1500:] + again.stderr[-4000:]


def test_gx_files_half_written_by_a_stopped_run_do_not_stop_the_next_run(tiny_run, tmp_path):
    """GX writes its suites, checkpoints and YAML in place; a signal mid-write once left an empty JSON
    file, and every later run stopped on it (found by the SIGINT test under load)."""
    settings, _, _ = tiny_run
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("tmp"))
    project = data / "gx" / "gx"
    for half in ("checkpoints/landing__orders.json", "expectations/landing__accounts.json",
                 "great_expectations.yml"):
        (project / half).write_text((project / half).read_text()[:40])
    results_before = sorted(p.name for p in (project / "uncommitted" / "validations").rglob("*.json"))
    again = _yihui(data, "run")
    assert again.returncode == 0, again.stdout[-1500:] + again.stderr[-4000:]
    assert json.loads((project / "checkpoints" / "landing__orders.json").read_text())["name"] == "landing__orders"
    results_after = {p.name for p in (project / "uncommitted" / "validations").rglob("*.json")}
    assert set(results_before) <= results_after, "the stored results of earlier runs are kept"


def test_a_reader_with_the_old_warehouse_open_keeps_working_through_a_publish(tiny_copy):
    reader = duckdb.connect(str(tiny_copy.layout.warehouse_path), read_only=True)
    try:
        query = "SELECT count(*), min(age_band), max(registered_period) FROM profile.dim_customers"
        before = reader.execute(query).fetchone()
        assert _yihui(tiny_copy.data_dir, "run").returncode == 0
        assert reader.execute(query).fetchone() == before
    finally:
        reader.close()


def test_a_missing_sqlite_source_stops_with_one_line_and_writes_nothing(tiny_copy):
    (tiny_copy.data_dir / "source" / "ops.sqlite").rename(tiny_copy.data_dir / "source" / "moved.sqlite")
    vault = (tiny_copy.data_dir / "vault.duckdb").read_bytes()
    warehouse = tiny_copy.layout.warehouse_path.read_bytes()
    proc = _yihui(tiny_copy.data_dir, "run")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "ops.sqlite" in errors[0] and "Traceback" not in proc.stderr, proc.stderr
    assert (tiny_copy.data_dir / "vault.duckdb").read_bytes() == vault
    assert tiny_copy.layout.warehouse_path.read_bytes() == warehouse


def test_a_locked_sqlite_source_is_retried_then_reported_and_nothing_is_written(tiny_copy):
    """Held for good: bounded retries, then one line.  Released within the retries: the run goes through."""
    import threading

    path = tiny_copy.data_dir / "source" / "ops.sqlite"
    lock = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    lock.execute("PRAGMA journal_mode=DELETE")  # in WAL mode readers are never locked out
    lock.execute("BEGIN EXCLUSIVE")
    vault = (tiny_copy.data_dir / "vault.duckdb").read_bytes()
    warehouse = tiny_copy.layout.warehouse_path.read_bytes()
    try:
        proc = _yihui(tiny_copy.data_dir, "run")
    finally:
        lock.execute("ROLLBACK")
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert proc.returncode == 1 and len(errors) == 1 and "after 3 attempts" in errors[0], proc.stderr
    assert "locked" in errors[0]
    assert (tiny_copy.data_dir / "vault.duckdb").read_bytes() == vault
    assert tiny_copy.layout.warehouse_path.read_bytes() == warehouse

    lock.execute("BEGIN EXCLUSIVE")
    threading.Timer(3.0, lambda: lock.execute("ROLLBACK")).start()  # a transient lock
    proc = _yihui(tiny_copy.data_dir, "run")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lock.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_stops_the_run_with_one_line_and_the_last_good_warehouse_intact(tiny_copy, tmp_path):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    used = sum(f.stat().st_size for f in tiny_copy.data_dir.rglob("*") if f.is_file())
    used += (tiny_copy.data_dir / "vault.duckdb").stat().st_size  # room for backups/last-good.duckdb: fill the run
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={used // 1024 + 3072}k", "tmpfs", str(mount)], check=True)
    try:
        data = mount / "data"
        shutil.copytree(tiny_copy.data_dir, data)
        before = (data / "warehouse.duckdb").read_bytes()
        proc = _yihui(data, "run")
        errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
        assert proc.returncode == 1 and len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert "disk is full" in errors[0] or "No space left" in errors[0], errors
        assert (data / "warehouse.duckdb").read_bytes() == before
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
