"""Redaction measured on notes written by hand (tests/notes/), never by the generator.

The development part is tuned on, so it is held to the targets of issue 17.  The frozen
part is scored but never read for misses: it is held to floors at its last measured
figures, so a change that loses ground on text nobody tuned on fails here; those figures
(below the targets for several kinds) are what the README and the bench report.
"""

from __future__ import annotations

import pytest

from anonymizer.redact import PLACEHOLDERS, find
from tests.handwritten import KINDS, counts, load, score

# Issue 17's targets: overlap recall per kind, names with and without the known names.
TARGETS = {"NAME": 0.95, "ID": 0.99, "MOBILE": 0.99, "LANDLINE": 0.99, "CARD": 0.99, "EMAIL": 0.99,
           "ADDRESS": 0.90, "DOCUMENT": 0.90, "OPENID": 0.90, "WECHAT": 0.90, "PLATE": 0.90, "MEDICAL_NO": 0.90,
           "SOCIAL_SECURITY": 0.90}
NAME_WITHOUT_KNOWN = 0.85
NEGATIVES_REDACTED_AT_MOST = 0.02
PRECISION_AT_LEAST = 0.95

# The frozen part as last measured (rounded down): a floor that catches a change losing ground
# on text nobody tuned on, not the goal (several kinds are below the targets above).
FROZEN_FLOORS = {"NAME": 0.93, "ID": 0.98, "MOBILE": 0.96, "LANDLINE": 0.99, "CARD": 0.99, "EMAIL": 0.99,
                 "ADDRESS": 0.92, "DOCUMENT": 0.96, "OPENID": 0.99, "WECHAT": 0.99, "PLATE": 0.86,
                 "MEDICAL_NO": 0.92, "SOCIAL_SECURITY": 0.75}
FROZEN_NAME_WITHOUT_KNOWN = 0.84


@pytest.fixture(scope="module", params=["dev", "frozen"])
def part(request):
    notes = load(request.param)
    return request.param, notes, score(notes, find), score(notes, find, known=False)


def test_each_part_holds_every_kind_and_enough_notes_to_mean_something(part):
    _, notes, _, _ = part
    c = counts(notes)
    assert c["notes"] >= 200, c
    assert c["NAME"] >= 300 and c["KEEP"] >= 300, c
    assert all(c[k] >= 14 for k in KINDS), {k: c[k] for k in KINDS}


def test_every_kind_written_by_hand_has_a_placeholder():
    assert set(KINDS) <= set(PLACEHOLDERS)


def test_recall_per_kind_meets_the_targets_on_dev_and_the_floors_on_frozen(part):
    name, _, scores, _ = part
    floors = TARGETS if name == "dev" else FROZEN_FLOORS
    low = {k: round(scores.kinds[k].recall, 3) for k, t in floors.items() if scores.kinds[k].recall < t}
    assert not low, f"{name}: recall below {'target' if name == 'dev' else 'floor'}: {low}\n{scores.table()}"


def test_names_are_found_without_the_known_names_too(part):
    name, _, _, without = part
    floor = NAME_WITHOUT_KNOWN if name == "dev" else FROZEN_NAME_WITHOUT_KNOWN
    assert without.kinds["NAME"].recall >= floor, without.table()


def test_look_alikes_survive_and_predicted_spans_are_right(part):
    _, _, scores, _ = part
    assert scores.negatives_redacted <= NEGATIVES_REDACTED_AT_MOST, scores.table()
    assert scores.all().precision >= PRECISION_AT_LEAST, scores.table()
