"""SIGINT and SIGTERM end a command the same way: unwind, end dbt, one line, exit 128 + the signal.

Python turns SIGINT into ``KeyboardInterrupt`` but lets SIGTERM kill the
process on the spot, skipping every ``finally`` (the vault left open, dbt
orphaned).  Both become ``Interrupted``, so the same cleanup runs.  Which signal
arrived is also remembered here, because a library on the way up may turn the
exception into one of its own (DuckDB interrupts its query); the CLI's handler
asks ``received`` rather than trusting the exception type.
"""

from __future__ import annotations

import signal

from core.errors import Interrupted

HANDLED = (signal.SIGINT, signal.SIGTERM)
received: int | None = None


def _handle(signum: int, _frame) -> None:
    global received
    if received is None:
        received = signum
    raise Interrupted(signum)


def install() -> None:
    """Call once, in the main thread, before the command starts."""
    global received
    received = None
    for signum in HANDLED:
        signal.signal(signum, _handle)


def exit_code(signum: int) -> int:
    return 128 + signum


def message(signum: int) -> str:
    verb = "interrupted" if signum == signal.SIGINT else "terminated"
    return (f"{verb} ({signal.Signals(signum).name}): the command stopped before finishing; "
            "a release is published whole or not at all, so the last good warehouse stands, "
            "and the next run completes the work")
