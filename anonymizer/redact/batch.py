"""The redactor over a whole table of notes: on every core, and knowing when a cached result still holds.

The recognisers are plain Python, one core's worth: on city (430k notes) redacting took
59 s of the pseudonymise stage and the release gate's re-reading of the released text 26 s
more (pyinstrument, issue 22).  Both spread over worker processes here.  Spawned, not
forked: a worker inherits neither the parent's DuckDB threads nor its signal handlers, and
it ignores SIGINT, so a Ctrl-C reaches the parent alone, which stops the pool and prints its
one line.

A redacted note depends on the note, its account's known names, the platform-wide name
lexicon and the redactor itself.  ``CODE_VERSION`` names the redactor (its sources, the
region seed it reads, python-stdnum); ``lexicon_touches`` says whether names that joined
the lexicon since a note was redacted occur in it where the lexicon is consulted (Han runs,
also once whitespace is squeezed out).  Names that left the lexicon keep the cached
redaction: the note stays redacted on the safe side until it or the redactor changes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from itertools import islice
from multiprocessing import resource_tracker
from pathlib import Path

import stdnum

from anonymizer.redact import _FOLD, _NEEDS_FOLD, find, redact
from anonymizer.redact.places import REGIONS_CSV
from core.settings import usable_cpus

Note = tuple[str | None, Sequence[str]]  # the note and its account's known names

CHUNK = 2_000  # notes per task: large enough to hide the pickling, small enough to balance two cores
SERIAL_BELOW = 20_000  # fewer notes than this (about 3 s on one core) are not worth starting workers


def _code_version() -> str:
    digest = hashlib.sha256(f"python-stdnum {stdnum.__version__}\n".encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")) + [REGIONS_CSV]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_SPACE = re.compile(r"\s+")


def lexicon_touches(text: str | None, names: Collection[str]) -> bool:
    """Whether any of ``names`` stands in ``text`` where the lexicon recogniser could read it: a
    2-4 character window of a Han run of the folded text, or of the text with whitespace squeezed out
    (the redactor reads spaced-out characters that way).  A superset of what it matches: safe."""
    if not text or not names:
        return False
    norm = text.translate(_FOLD) if _NEEDS_FOLD.search(text) else text
    for view in (norm, _SPACE.sub("", norm)):
        for m in _HAN_RUN.finditer(view):
            run = m.group()
            if any(run[i:i + w] in names for i in range(len(run) - 1) for w in (2, 3, 4) if i + w <= len(run)):
                return True
    return False


# -- the worker side ---------------------------------------------------------------------------------
_lexicon: Collection[str] = frozenset()


_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _start_worker(lexicon: Collection[str]) -> None:
    """A worker leaves the parent's process group: a Ctrl-C or a `kill` of the group reaches the
    parent alone, which ends the pool.  (A worker killed from outside while it holds the pool's
    task-queue lock leaves the parent waiting on that lock forever.)  A signal sent to the group
    before this point is pending, and ends the worker here, holding nothing."""
    global _lexicon
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the parent ends its workers
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    _lexicon = lexicon


def _redact_chunk(notes: list[Note], lexicon: Collection[str] | None = None) -> list[str | None]:
    lexicon = _lexicon if lexicon is None else lexicon  # in a worker, the one it started with
    return [redact(text, names, lexicon) for text, names in notes]


def _kinds_chunk(texts: list[str], _no_lexicon: Collection[str] | None = None) -> list[list[str]]:
    return [[span.kind for span in find(text)] for text in texts]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _workers(workers: int | None) -> int:
    return workers or usable_cpus()


def _map(fn: Callable, chunks: Iterable[list], lexicon: Collection[str], workers: int) -> Iterator:
    """``fn`` over ``chunks`` in order, in ``workers`` spawned processes.  They start with SIGINT and
    SIGTERM blocked (a Ctrl-C to the process group while one is still importing would print its
    traceback); here they stay blocked only until the pool stands, then arrive in the parent."""
    resource_tracker.ensure_running()  # first: starting it unblocks SIGINT and SIGTERM again
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        with multiprocessing.get_context("spawn").Pool(workers, _start_worker, (lexicon,)) as pool:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a signal now ends the pool on the way out
            yield from pool.imap(fn, chunks)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _over(fn: Callable, items: Sequence, lexicon: Collection[str], workers: int | None, serial_below: int) -> list:
    """``fn`` over ``items`` chunk by chunk, in order: in this process below ``serial_below`` items."""
    workers = _workers(workers)
    if workers < 2 or len(items) < serial_below:
        return fn(list(items), lexicon)
    out: list = []
    for part in _map(fn, _chunks(items, CHUNK), lexicon, workers):
        out.extend(part)
    return out


def redact_all(notes: Sequence[Note], lexicon: Collection[str], workers: int | None = None,
               serial_below: int = SERIAL_BELOW) -> list[str | None]:
    """``redact(text, names, lexicon)`` of every note, in order."""
    return _over(_redact_chunk, notes, lexicon, workers, serial_below)


def kinds_found(texts: Sequence[str], workers: int | None = None,
                serial_below: int = SERIAL_BELOW) -> list[list[str]]:
    """Per text, the identifier type of every span ``find`` still finds in it.  Kinds only, never a value."""
    return _over(_kinds_chunk, texts, (), workers, serial_below)
