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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from anonymizer.corpus import LabelledEntity, LabelledNote

NOTES_DIR = Path(__file__).resolve().parent / "notes"
KINDS = ("NAME", "ID", "DOCUMENT", "MOBILE", "LANDLINE", "EMAIL", "CARD", "ADDRESS", "OPENID", "WECHAT",
         "PLATE", "MEDICAL_NO", "SOCIAL_SECURITY")
_MARK = re.compile(r"⟦([A-Z_]+)\|(.*?)⟧|⟪(.*?)⟫", re.DOTALL)


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
    blocks = re.split(r"^=== ", source, flags=re.MULTILINE)
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


@dataclass
class KindScore:
    entities: int = 0
    overlapped: int = 0  # some predicted span of the kind overlaps the entity (the measure)
    covered: int = 0  # every character of the entity is inside predicted spans of the kind
    predicted: int = 0
    correct: int = 0  # predicted spans overlapping an entity of their kind

    @property
    def recall(self) -> float:
        return self.overlapped / self.entities if self.entities else 1.0

    @property
    def exact_recall(self) -> float:
        return self.covered / self.entities if self.entities else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


@dataclass
class Scores:
    kinds: dict[str, KindScore] = field(default_factory=lambda: defaultdict(KindScore))
    negatives: int = 0
    negatives_touched: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, entity, note)
    false_hits: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, span text, note)

    @property
    def negatives_redacted(self) -> float:
        return self.negatives_touched / self.negatives if self.negatives else 0.0

    def all(self) -> KindScore:
        total = KindScore()
        for k in self.kinds.values():
            for f in ("entities", "overlapped", "covered", "predicted", "correct"):
                setattr(total, f, getattr(total, f) + getattr(k, f))
        return total

    def table(self) -> str:
        rows = [f"{k:16} n={s.entities:4} recall={s.recall:.3f} exact={s.exact_recall:.3f} "
                f"precision={s.precision:.3f}" for k, s in sorted(self.kinds.items())]
        a = self.all()
        rows.append(f"{'all':16} n={a.entities:4} recall={a.recall:.3f} exact={a.exact_recall:.3f} "
                    f"precision={a.precision:.3f}")
        rows.append(f"negatives redacted {self.negatives_touched}/{self.negatives} = {self.negatives_redacted:.3f}")
        return "\n".join(rows)


def score(notes: list[LabelledNote], find, known: bool = True) -> Scores:
    """Recall per kind of ``find(text, known_names) -> spans`` (``start``, ``end``, ``kind``):
    an entity counts as found when a predicted span of its kind overlaps it; the share of
    look-alikes that some span touches; precision of the predicted spans."""
    out = Scores()
    for note in notes:
        spans = list(find(note.text, note.known_names if known else ()))
        for e in note.entities:
            k = out.kinds[e.kind]
            k.entities += 1
            mine = [s for s in spans if s.kind == e.kind and s.start < e.end and e.start < s.end]
            k.overlapped += bool(mine)
            covered = {i for s in mine for i in range(max(s.start, e.start), min(s.end, e.end))}
            k.covered += len(covered) == e.end - e.start
            if not mine:
                out.misses.append((e.kind, e.text, note.text))
        for s in spans:
            k = out.kinds[s.kind]
            k.predicted += 1
            hit = any(e.kind == s.kind and e.start < s.end and s.start < e.end for e in note.entities)
            k.correct += hit
            if not hit:
                out.false_hits.append((s.kind, note.text[s.start:s.end], note.text))
        for d in note.distractors:
            out.negatives += 1
            out.negatives_touched += any(d.start < s.end and s.start < d.end for s in spans)
    return out


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
