"""The real `yihui` process: one writer at a time per data dir, readers never wait, signals end runs cleanly.

As in ``test_faults.py``: the CLI runs as a subprocess on a private copy of the
tiny run's data dir, and the next run after a stopped one must complete.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import lock
from tests.conftest import TEST_KEY

# Beside the kill -9 fault tests: both spend their time in subprocesses running the pipeline.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIHUI_")}
    env.update(YIHUI_MASTER_KEY=TEST_KEY, DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false", **extra)
    return env


def _cmd(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args, "--data-dir", str(data_dir)]


def _yihui(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(data_dir, *args), check=False, capture_output=True, text=True, env=_env(**env),
                          timeout=600)


def _start(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(_cmd(data_dir, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def _processes() -> list[tuple[int, str, int, int, str]]:
    """(pid, state, parent pid, process group, command line) of every process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended while we looked
            continue
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        found.append((int(entry.name), state, int(ppid), int(pgrp), cmdline))
    return found


def _wait_for(condition, proc: subprocess.Popen, what: str, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}: {out[-1500:]}{err[-3000:]}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"no {what} within {timeout} s")


def _holds_lock(data_dir: Path, pid: int) -> bool:
    """True once ``pid`` holds the data dir's lock (tried without taking it for more than an instant)."""
    path = lock.lock_path(data_dir)
    if not path.exists() or f'"pid": {pid}' not in path.read_text():
        return False
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def _dbt_child(pid: int) -> int | None:
    """dbt's process, by its program: a child that is only forking carries our command line, and the
    data dir's path (the test's name) says "dbt" too."""
    return next((p for p, _, ppid, _, cmd in _processes()
                 if ppid == pid and any(Path(arg).name == "dbt" for arg in cmd.split()[:2])), None)


def test_a_second_writer_waits_then_names_the_holder_while_readers_go_on_and_the_first_completes(tiny_copy):
    data = tiny_copy.data_dir
    first = _start(data, "run")
    try:
        _wait_for(lambda: _holds_lock(data, first.pid), first, "the run holds the lock")
        start = time.monotonic()
        second = _yihui(data, "extract", YIHUI_LOCK_WAIT="1")
        assert time.monotonic() - start >= 1
        errors = _errors(second.stderr)
        assert second.returncode == 1 and len(errors) == 1 and "Traceback" not in second.stderr, second.stderr
        assert f"data dir {data} is in use by `yihui run` (pid {first.pid}) since " in errors[0]
        assert "UTC" in errors[0] and "try again when it finishes" in errors[0]

        assert _holds_lock(data, first.pid), "the reader below must run while the writer holds the lock"
        reader = _yihui(data, "sql", "select count(*) from profile.dim_customers", YIHUI_LOCK_WAIT="0")
        assert reader.returncode == 0, reader.stderr
        assert _yihui(data, "segment", "list", YIHUI_LOCK_WAIT="0").returncode == 0
    finally:
        out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out[-1500:] + err[-3000:]


@pytest.mark.parametrize(("signum", "code", "line"), [(signal.SIGINT, 130, "interrupted (SIGINT)"),
                                                      (signal.SIGTERM, 143, "terminated (SIGTERM)")])
def test_a_signal_during_dbt_stops_the_run_with_one_line_ends_dbt_and_the_next_run_completes(
        tiny_copy, signum, code, line):
    data = tiny_copy.data_dir
    warehouse = tiny_copy.layout.warehouse_path.read_bytes()
    proc = _start(data, "run")
    dbt = _wait_for(lambda: _dbt_child(proc.pid), proc, "dbt started")
    time.sleep(1.5)  # dbt is at work: connected, building models
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    errors = _errors(err)
    assert proc.returncode == code, out[-1500:] + err[-3000:]
    assert len(errors) == 1 and line in errors[0] and "Traceback" not in err, err[-3000:]

    def left_over() -> list[str]:  # dbt ran in a process group of its own: nothing of it may be alive
        return [cmd for _, state, _, pgrp, cmd in _processes() if pgrp == dbt and state != "Z"]

    deadline = time.monotonic() + 5
    while left_over() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left_over()
    assert tiny_copy.layout.warehouse_path.read_bytes() == warehouse, "nothing is published by a stopped run"

    again = _yihui(data, "run", YIHUI_LOCK_WAIT="0")  # the lock went with the stopped process
    assert again.returncode == 0, again.stdout[-1500:] + again.stderr[-3000:]


def test_ctrl_c_before_dbt_stops_the_run_with_one_line(tiny_copy):
    data = tiny_copy.data_dir
    proc = _start(data, "run")
    _wait_for(lambda: _holds_lock(data, proc.pid), proc, "the run holds the lock")
    time.sleep(1)  # opening the vault, extracting
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    errors = _errors(err)
    assert proc.returncode == 130 and len(errors) == 1 and "interrupted (SIGINT)" in errors[0], err[-3000:]
    assert "Traceback" not in err


def test_sql_csv_prints_formula_cells_as_text_and_numbers_as_numbers(tiny_run):
    settings, _, _ = tiny_run
    query = """select '=HYPERLINK("http://x.example","y")' as link, '@SUM(A1)' as s, -5 as n, 'plain' as p"""
    proc = _yihui(settings.data_dir, "sql", "--csv", query)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["link,s,n,p", '"\'=HYPERLINK(""http://x.example"",""y"")",\'@SUM(A1),-5,plain']
