"""What a user sees: piped output is whole, and a mistyped data dir is named, not read as empty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


def _yihui(*args: str) -> subprocess.CompletedProcess:
    """The real CLI with its stdout a pipe (as in `yihui segment list | cat`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIHUI_")}
    env.update(YIHUI_MASTER_KEY=TEST_KEY, DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false", COLUMNS="40")
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], check=False, capture_output=True,
                          text=True, env=env, timeout=600)


def test_piped_tables_are_whole_however_narrow_the_terminal_says_it_is(tiny_run):
    settings, _, _ = tiny_run
    listed = _yihui("segment", "list", "--data-dir", str(settings.data_dir))
    assert listed.returncode == 0, listed.stderr
    assert "group_booking_followup" in listed.stdout and "…" not in listed.stdout
    report = _yihui("risk", "report", "--data-dir", str(settings.data_dir))
    assert report.returncode == 0, report.stderr
    assert "governance.agg_subject_requests" in report.stdout and "…" not in report.stdout
    assert "\x1b[" not in listed.stdout + report.stdout  # no colour codes in a file


@pytest.mark.parametrize("command", [["segment", "list"], ["keys", "status"], ["sql", "select 1"],
                                     ["risk", "report"], ["vault", "check"], ["retention", "apply", "--dry-run"]])
def test_a_mistyped_data_dir_is_one_error_naming_it_and_is_not_created(command, tmp_path: Path):
    missing = tmp_path / "no-such-dir"
    result = _yihui(*command, "--data-dir", str(missing))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: no data dir at {missing}: check --data-dir (or YIHUI_DATA_DIR); `yihui run` creates one"]
    assert not missing.exists()


def test_a_sql_error_keeps_duckdbs_hint_on_one_line(tiny_run):
    settings, _, _ = tiny_run
    result = _yihui("sql", "select * from dim_customers", "--data-dir", str(settings.data_dir))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        'Error: Catalog Error: Table with name dim_customers does not exist! Did you mean "profile.dim_customers"?']


def test_correcting_someone_the_source_does_not_hold_fails_before_anything_runs(tiny_copy):
    warehouse = tiny_copy.layout.warehouse_path
    before = (warehouse.stat().st_mtime_ns, (tiny_copy.data_dir / "vault.duckdb").stat().st_mtime_ns)
    result = _yihui("subject", "correct", "--mobile", "139 0000 0000", "--data-dir", str(tiny_copy.data_dir))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        ("Error: no one with that identifier is held in the source: nothing was run or changed (correct the "
         "source first, then name the person by the corrected value)")]
    assert not result.stdout  # no run started
    assert (warehouse.stat().st_mtime_ns, (tiny_copy.data_dir / "vault.duckdb").stat().st_mtime_ns) == before
