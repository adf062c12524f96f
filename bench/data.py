"""Synthetic but realistic inputs: mobiles, resident IDs, a table with repeats, labelled notes.

Everything is seeded, so two runs measure the same values.  Resident IDs are
built by ``core.idnumbers.make_resident_id`` (checksum-valid, real GB/T
2260 district codes from the seeds); mobiles use the real network prefixes the
generator uses.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from core.idnumbers import make_resident_id
from pipelines.generate import MOBILE_PREFIXES

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def mobiles(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct 11-digit mobiles with real prefixes."""
    rng = random.Random(f"bench-mobiles:{seed}")
    return _distinct(n, lambda: f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}")


def resident_ids(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct checksum-valid 18-character resident IDs."""
    with (SEEDS / "regions.csv").open(encoding="utf-8") as fh:
        regions = [r["region_code"] for r in csv.DictReader(fh) if r["region_level"] == "district"]
    first = date(1940, 1, 1)
    births = [first + timedelta(days=d) for d in range(80 * 365)]
    rng = random.Random(f"bench-ids:{seed}")
    return _distinct(n, lambda: make_resident_id(rng.choice(regions), rng.choice(births), rng.randrange(1000)))


def _distinct(n: int, draw) -> list[str]:
    """``n`` distinct draws in the order drawn (deterministic, unlike a set's order)."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        v = draw()
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


@dataclass(frozen=True)
class Note:
    text: str
    entities: tuple[tuple[str, str], ...]  # (kind, text as it appears in the note)
    known_names: tuple[str, ...]
    distractors: tuple[str, ...] = ()  # look-alikes that must survive redaction verbatim


def labelled_notes(n: int, seed: int = 0) -> tuple[list[Note], str]:
    """The labelled corpus and where it came from.

    ``anonymizer.corpus.labelled_notes`` when it exists (the shared corpus);
    otherwise the generator's notes built the way ``tests/unit/test_redact.py``
    builds its fixture.
    """
    try:
        from anonymizer.corpus import labelled_notes as shared  # type: ignore[import-not-found]
    except ImportError:
        return _generator_notes(n, seed), "pipelines.generate notes (as tests/unit/test_redact.py)"
    notes = []
    for note in shared(n, seed=seed):
        ents = []
        for e in note.entities:
            kind = getattr(e, "kind", None) or e[0]
            text = getattr(e, "text", None)
            if text is None:
                text = note.text[e.start:e.end]
            ents.append((kind, text))
        distractors = tuple(getattr(d, "text", None) or note.text[d.start:d.end]
                            for d in getattr(note, "distractors", ()) or ())
        notes.append(Note(note.text, tuple(ents), tuple(note.known_names or ()), distractors))
    return notes, "anonymizer.corpus.labelled_notes"


def _generator_notes(n: int, seed: int) -> list[Note]:
    from pipelines.generate import ChunkGenerator, IdAllocator, Pools

    gen = ChunkGenerator(5 + seed, 0, 1, 1, Pools(5 + seed), IdAllocator())
    notes = []
    for _ in range(n):
        holder = gen.person(40, gen.rng.random() < 0.5)
        family = [(1, "本人", holder), (2, "配偶", gen.person(38, True))]
        text, entities = gen.note(holder, family, gen.mobile(), gen.openid())
        notes.append(Note(text, tuple((e.kind, e.text) for e in entities),
                          tuple(p["name"] for _, _, p in family)))
    return notes
