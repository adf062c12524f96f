"""Named points where a test kills the real process (``kill -9``), to prove that a run survives it.

With ``YIHUI_FAULT_AT=<point>`` in its environment the process sends itself
SIGKILL on reaching that point: no cleanup, no ``finally``, as with a power
cut or the OOM killer.  Nothing else reads the variable.  Each point sits in
the middle of its stage, after some of its work is written and before the rest.
"""

from __future__ import annotations

import os
import signal

POINTS = ("extract", "validate", "pseudonymise", "build", "publish")
ENV = "YIHUI_FAULT_AT"


def point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
