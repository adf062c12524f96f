"""Redaction measured on a labelled corpus the generator makes (it knows what it inserted)."""

from __future__ import annotations

from collections import Counter

import pytest

from anonymizer.redact import PLACEHOLDERS, redact
from pipelines.generate import ChunkGenerator, IdAllocator, Pools

THRESHOLDS = {"ID": 0.99, "MOBILE": 0.99, "EMAIL": 0.99, "CARD": 0.99, "NAME": 0.95}


@pytest.fixture(scope="module")
def corpus():
    pools = Pools(5)
    gen = ChunkGenerator(5, 0, 1, 1, pools, IdAllocator())
    notes = []
    for _ in range(3000):
        holder = gen.person(40, gen.rng.random() < 0.5)
        family = [(1, "本人", holder), (2, "配偶", gen.person(38, True))]
        text, entities = gen.note(holder, family, gen.mobile(), gen.openid())
        known = [p["name"] for _, _, p in family]
        notes.append((text, entities, known))
    return notes


def test_recall_and_precision_per_type_meet_thresholds(corpus):
    found, total, leaked = Counter(), Counter(), []
    for text, entities, known in corpus:
        red = redact(text, known)
        for e in entities:
            total[e.kind] += 1
            if e.text not in red:
                found[e.kind] += 1
            else:
                leaked.append(e.kind)
    for kind, threshold in THRESHOLDS.items():
        assert total[kind] > 50, kind
        assert found[kind] / total[kind] >= threshold, (kind, found[kind], total[kind])
    # precision: placeholders inserted versus entities that were really there
    inserted = sum(redact(t, k).count(p) for t, _, k in corpus for p in PLACEHOLDERS.values())
    real = sum(len(e) for _, e, _ in corpus)
    assert real / max(inserted, 1) >= 0.95


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话 +86 138 1234 5678 已回访", "电话 〔手机号〕 已回访"),
        ("邮箱zhang.san@163.com谢谢", "邮箱〔邮箱〕谢谢"),
        ("订单号 20261120123456 金额 99 元", "订单号 20261120123456 金额 99 元"),
        ("王先生来电", "〔姓名〕来电"),
    ],
)
def test_typical_forms(text, expected):
    assert redact(text) == expected


def test_invalid_checksum_id_like_numbers_are_left_alone():
    assert redact("编号 320213198503090371 待查") in ("编号 320213198503090371 待查",)
