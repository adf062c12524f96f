"""The redactor over many notes in worker processes, and when a cached redaction still holds.

Measured on the hand-written notes (tests/notes/, both parts): the worker pool must give exactly
what one process gives, note for note; ``lexicon_touches`` must say yes wherever a joining name
changes a redaction, or a cached note would keep a name the platform now knows.
"""

from __future__ import annotations

import pytest

from anonymizer.redact import find, redact
from anonymizer.redact.batch import kinds_found, lexicon_touches, redact_all
from tests.handwritten import load

NOTES = load("dev") + load("frozen")


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
