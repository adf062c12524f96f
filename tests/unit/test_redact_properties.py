"""Redaction changes nothing outside its spans, for any text (hypothesis)."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.redact import PLACEHOLDERS, find, redact

# What notes are made of: surnames, given-name characters, cues, introducers, verbs, numerals,
# time words, place suffixes, digits (ASCII and full-width), punctuation, line breaks.
_CHARS = ("王李张刘陈杨黄赵孙高江潘欧阳司马华明丽芳伟浩然阿妹峰山娜子涵建国小老"
          "先生女士客户投保人被来电说称的和是给期市县区路街天今昨个岁位三八十二一两"
          "0123456789０１２３４５６７８９xX+-@.，。、：；！？（）〔〕 \n\t")
_WORDS = ("先生", "女士", "客户", "投保人：", "被保人", "来电", "咨询", "明天", "今天", "三个人", "八十二岁",
          "高峰期", "江山市", "梁溪区", "中山路12号", "13812345678", "１３８１２３４５６７８",
          "320213199007011238", "6222021234567890128", "a@b.cn", "〔姓名〕", "、", "\n")
_text = st.lists(st.one_of(st.text(alphabet=_CHARS, max_size=6), st.sampled_from(_WORDS)), max_size=12).map("".join)
_name = st.text(alphabet=_CHARS[:60], min_size=2, max_size=4)


@st.composite
def _note(draw):
    text = draw(_text)
    # known names: some anywhere, some taken from the text itself
    names = draw(st.lists(_name, max_size=3))
    if len(text) >= 2:
        for _ in range(draw(st.integers(0, 2))):
            a = draw(st.integers(0, len(text) - 2))
            names.append(text[a:a + draw(st.integers(2, 4))])
    lexicon = frozenset(draw(st.lists(st.sampled_from(names), max_size=3))) if names else frozenset()
    return text, names, lexicon


@settings(max_examples=300, deadline=None, database=None)
@given(_note())
def test_redaction_changes_nothing_outside_its_spans(note):
    text, known, lexicon = note
    spans = find(text, known, lexicon)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in pairwise(spans))
    out = redact(text, known, lexicon)
    # the output is the input with each span replaced by its placeholder ...
    pieces, last = [], 0
    for s in spans:
        pieces += [text[last:s.start], PLACEHOLDERS[s.kind]]
        last = s.end
    assert out == "".join(pieces) + text[last:]
    # ... and, without the spans: its placeholders aligned on the input, the text between them is the input's
    kinds = "|".join(map(re.escape, PLACEHOLDERS.values()))
    parts = re.split(f"({kinds})", out)
    pattern = "".join(".+?" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    assert re.fullmatch(pattern, text, re.DOTALL)
