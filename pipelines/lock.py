"""One writer at a time per data dir: an advisory lock on ``<data-dir>/.lock``.

Two commands writing one data dir at once corrupt each other's work (the second
deletes the first's staging file; DuckDB lets one process at a time open the
vault, so the loser fails with an IO error that reads like damage).  Writers
therefore hold ``flock`` on an open descriptor for their whole life: the kernel
drops it when the process ends, however it ends (``kill -9`` included), so a
stale lock never needs clearing by hand.  The file's content (command, pid,
since when) only serves the message of the command that waited in vain; it is
never trusted to decide who holds the lock.

Re-entrant within one process: ``flock`` on a second descriptor of the same
file would block on our own lock, so a nested ``hold`` (a command calling
another use case that locks) only counts.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.errors import YihuiError
from core.layout import Layout
from pipelines.errors import LockBusy

POLL_SECONDS = 0.1
_held: dict[Path, int] = {}  # lock path → nesting depth, in this process


def lock_path(data_dir: Path) -> Path:
    return Layout(Path(data_dir)).lock_file


@contextmanager
def hold(data_dir: Path, command: str, wait: float = 30.0) -> Iterator[None]:
    """Hold the data dir's write lock, waiting up to ``wait`` seconds for another holder to finish.

    Raises ``LockBusy`` naming the holder when the wait runs out.  ``command`` is
    what the waiting side reads (e.g. ``yihui run``): no arguments, which may
    carry an ID number or a mobile.
    """
    path = lock_path(data_dir).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise YihuiError(f"cannot create the lock file {path}: {exc.strerror}") from None
    try:
        _acquire(fd, path, wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"command": command, "pid": os.getpid(),
                                  "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}).encode(), 0)
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
            os.ftruncate(fd, 0)  # the lock itself goes with the descriptor; this only clears the note
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockBusy(f"data dir {path.parent} is in use by {holder(path)}; "
                               f"waited {wait:g} s, try again when it finishes") from None
            time.sleep(POLL_SECONDS)


def holder(path: Path) -> str:
    """Who holds the lock, from the note its holder wrote (a holder that just started may not have yet)."""
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        return f"`{note['command']}` (pid {note['pid']}) since {note['started_at']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another yihui command"
