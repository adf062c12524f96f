"""Hand-written, labelled service notes: the redaction's held-out measure.

Written by hand in the styles people really use (agent shorthand, chatty WeChat
messages, copied forms, tables and JSON, OCR spacing, claims and medical notes),
never by ``pipelines.generate`` or ``anonymizer.corpus``.  Two parts:

* ``tests/notes/dev/``: read for misses and tuned on;
* ``tests/notes/frozen/``: scored and reported, never read for misses.

File format (UTF-8 ``.txt``), one note per block::

    === d-logs-001
    known: 张伟 李秀英
    客户⟦NAME|张伟⟧来电，手机⟦MOBILE|139 1234 5678⟧，订单⟪2025110312345⟫已退款。

A block starts with ``=== <id>``; an optional ``known:`` line lists the account's
own people (what production passes as ``known_names``); every line after it up to
the next ``===`` is the note (a note may span lines; trailing blank lines are
dropped).  ``⟦KIND|text⟧`` marks personal data (``text`` may hold a line break)
and ``⟪text⟫`` a look-alike that must survive verbatim.

    python -m tests.handwritten FILE...   # check files, print counts per kind
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from anonymizer.corpus import LabelledEntity, LabelledNote

NOTES_DIR = Path(__file__).resolve().parent / "notes"
KINDS = ("NAME", "ID", "DOCUMENT", "MOBILE", "LANDLINE", "EMAIL", "CARD", "ADDRESS", "OPENID", "WECHAT",
         "PLATE", "MEDICAL_NO", "SOCIAL_SECURITY")
_MARK = re.compile(r"⟦([A-Z_]+)\|(.*?)⟧|⟪(.*?)⟫", re.S)


class FormatError(ValueError):
    pass


def parse_note(body: str, known: tuple[str, ...] = (), category: str = "handwritten") -> LabelledNote:
    """The note ``body`` with its marks removed, and the truth they carried."""
    text, entities, keep, last = [], [], [], 0
    pos = 0
    for m in _MARK.finditer(body):
        text.append(body[last:m.start()])
        pos += m.start() - last
        kind, value = (m.group(1), m.group(2)) if m.group(1) else ("KEEP", m.group(3))
        if kind != "KEEP" and kind not in KINDS:
            raise FormatError(f"unknown kind {kind!r}")
        if not value or "⟦" in value or "⟪" in value:
            raise FormatError(f"empty or nested mark near {body[m.start():m.start() + 20]!r}")
        (keep if kind == "KEEP" else entities).append(LabelledEntity(kind, value, pos, pos + len(value)))
        text.append(value)
        pos += len(value)
        last = m.end()
    text.append(body[last:])
    plain = "".join(text)
    if any(c in plain for c in "⟦⟧⟪⟫"):
        raise FormatError("unbalanced mark")
    return LabelledNote(plain, tuple(entities), known, tuple(keep), category)


def parse(source: str, name: str = "<notes>") -> list[tuple[str, LabelledNote]]:
    """(id, note) for every block of a notes file."""
    out, seen = [], set()
    blocks = re.split(r"^=== ", source, flags=re.M)
    if blocks[0].strip():
        raise FormatError(f"{name}: text before the first '=== <id>' line")
    for block in blocks[1:]:
        head, _, rest = block.partition("\n")
        note_id = head.strip()
        if not note_id or note_id in seen:
            raise FormatError(f"{name}: missing or repeated note id {note_id!r}")
        seen.add(note_id)
        known: tuple[str, ...] = ()
        if rest.startswith("known:"):
            line, _, rest = rest.partition("\n")
            known = tuple(line[len("known:"):].split())
        body = rest.rstrip("\n")
        if not body.strip():
            raise FormatError(f"{name}: note {note_id} is empty")
        try:
            out.append((note_id, parse_note(body, known, category=Path(name).stem)))
        except FormatError as e:
            raise FormatError(f"{name}: note {note_id}: {e}") from None
    return out


def load(part: str) -> list[LabelledNote]:
    """Every note of ``part`` (``dev`` or ``frozen``), files in name order."""
    files = sorted((NOTES_DIR / part).glob("*.txt"))
    return [note for f in files for _, note in parse(f.read_text(encoding="utf-8"), str(f))]


def counts(notes: list[LabelledNote]) -> Counter:
    c = Counter(e.kind for n in notes for e in n.entities)
    c["KEEP"] = sum(len(n.distractors) for n in notes)
    c["notes"] = len(notes)
    return c


def main(paths: list[str]) -> int:
    total: Counter = Counter()
    for p in paths:
        notes = [n for _, n in parse(Path(p).read_text(encoding="utf-8"), p)]
        c = counts(notes)
        total += c
        print(p, dict(sorted(c.items())))
    print("total", dict(sorted(total.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
