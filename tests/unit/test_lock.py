"""One writer at a time: the data dir's lock waits, names its holder, and dies with its holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import lock
from pipelines.errors import LockBusy

PROJECT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from pathlib import Path
from pipelines import lock
with lock.hold(Path(sys.argv[1]), "yihui run", wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(data_dir: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the lock for ``seconds``; returns once it holds it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir), str(seconds)],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_waits_its_bound_then_names_the_holder(tmp_path):
    holder = _holder(tmp_path, 30)
    try:
        start = time.monotonic()
        with pytest.raises(LockBusy) as err, lock.hold(tmp_path, "yihui extract", wait=0.5):
            pass
        assert time.monotonic() - start >= 0.5
        message = str(err.value)
        assert f"data dir {tmp_path.resolve()} is in use by `yihui run` (pid {holder.pid}) since " in message
        assert " UTC" in message and "try again when it finishes" in message
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_writer_goes_ahead_as_soon_as_the_holder_finishes(tmp_path):
    holder = _holder(tmp_path, 1.0)
    start = time.monotonic()
    with lock.hold(tmp_path, "yihui extract", wait=10):
        assert 0.5 < time.monotonic() - start < 5
    assert holder.wait(timeout=5) == 0


def test_the_lock_goes_with_its_holder_even_on_kill_9(tmp_path):
    holder = _holder(tmp_path, 30)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with lock.hold(tmp_path, "yihui run", wait=0):
        pass


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    """A command whose use case calls another locking one (erase → rebuild) must not wait on itself."""
    with lock.hold(tmp_path, "yihui subject erase", wait=0), lock.hold(tmp_path, "yihui run", wait=0):
        pass
    with lock.hold(tmp_path, "yihui run", wait=0):  # and it is released after the outer one
        pass


def test_the_holder_note_is_cleared_on_release_and_a_missing_note_still_gives_a_line(tmp_path):
    with lock.hold(tmp_path, "yihui run", wait=0):
        assert '"command": "yihui run"' in lock.lock_path(tmp_path).read_text()
    assert lock.lock_path(tmp_path).read_text() == ""
    assert lock.holder(lock.lock_path(tmp_path)) == "another yihui command"


def test_the_data_dir_is_created_for_the_lock(tmp_path):
    with lock.hold(tmp_path / "new" / "data", "yihui run", wait=0):
        assert (tmp_path / "new" / "data" / ".lock").exists()
