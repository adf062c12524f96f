"""The redactor over many notes in worker processes, and when a cached redaction still holds.

Measured on the hand-written notes (tests/notes/, both parts): the worker pool must give exactly
what one process gives, note for note; ``lexicon_touches`` must say yes wherever a joining name
changes a redaction, or a cached note would keep a name the platform now knows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anonymizer.redact import find, redact
from anonymizer.redact.batch import kinds_found, lexicon_touches, redact_all
from tests.handwritten import load

NOTES = load("dev") + load("frozen")
PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.xdist_group("pool")
def test_notes_redacted_in_worker_processes_equal_one_process_note_for_note():
    notes = [(n.text, n.known_names) for n in NOTES] + [(None, ())]
    lexicon = frozenset({"吴丽娟", "王建国"})
    pooled = redact_all(notes, lexicon, workers=2, serial_below=0)
    assert pooled == [redact(text, names, lexicon) for text, names in notes]


@pytest.mark.xdist_group("pool")
def test_kinds_found_in_worker_processes_equal_one_process_text_for_text():
    texts = [n.text for n in NOTES]
    pooled = kinds_found(texts, workers=2, serial_below=0)
    assert pooled == kinds_found(texts, workers=1) == [[s.kind for s in find(t)] for t in texts]
    assert sum(map(len, pooled)) > len(texts)


def test_a_name_joining_the_platform_touches_every_note_whose_redaction_it_changes():
    # every hand-written note, against each labelled name in it that the detectors alone miss
    checked = 0
    for note in NOTES:
        for entity in note.entities:
            name = note.text[entity.start:entity.end]
            if entity.kind != "NAME" or not 2 <= len(name) <= 4:
                continue
            if redact(note.text, (), frozenset({name})) != redact(note.text, (), frozenset()):
                checked += 1
                assert lexicon_touches(note.text, {name})
    assert checked > 20


@pytest.mark.parametrize("text", [
    "客户吴 丽 娟来电", "客戶吳麗娟來電", "吴丽娟\n来电", "联系人：吴丽娟。",
])
def test_lexicon_touches_reads_spaced_traditional_and_broken_text(text):
    assert lexicon_touches(text, {"吴丽娟"})


@pytest.mark.parametrize("text", ["客户来电咨询理赔进度", "", None, "Wu Lijuan called", "吴丽来电"])
def test_lexicon_touches_is_false_where_no_joining_name_stands(text):
    assert not lexicon_touches(text, {"吴丽娟"})


_REDACT_UNTIL_STOPPED = """
import sys
from anonymizer.redact.batch import redact_all
from pipelines import signals

signals.install()
try:
    redact_all([("客户张三来电，手机13812345678，地址新吴区春潮花园3栋1203", ())] * 400_000, frozenset(),
               workers=2, serial_below=0)
except BaseException as e:
    print("stopped:", type(e).__name__)
    sys.exit(130)
"""


@pytest.mark.xdist_group("pool")
@pytest.mark.parametrize("when", ["starting", "working"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_process_group_stops_the_workers_without_a_traceback(signum, when):
    """Ctrl-C reaches every process of the group: while the workers start (one still importing) and
    while they redact, the parent alone reacts, and no worker is left behind."""
    proc = subprocess.Popen([sys.executable, "-c", _REDACT_UNTIL_STOPPED], cwd=PROJECT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    wanted = 1 if when == "starting" else 2
    deadline = time.monotonic() + 60
    while len(_workers(proc.pid)) < wanted and time.monotonic() < deadline:
        time.sleep(0.01)
    if when == "working":
        time.sleep(1.0)
    workers = _children(proc.pid)
    assert len(_workers(proc.pid)) >= wanted
    os.killpg(proc.pid, signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out.strip() == "stopped: Interrupted"
    assert "Traceback" not in err, err
    deadline = time.monotonic() + 10
    while [p for p in workers if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()]  # none left behind


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()] if tasks.exists() else []


def _workers(pid: int) -> list[int]:
    """The pool's processes (multiprocessing's resource tracker is a child too, and not one)."""
    out = []
    for child in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                out.append(child)
        except OSError:
            pass
    return out
