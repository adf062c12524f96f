"""What a recogniser is: one class of personal data, its placeholder and how it is found.

Most classes are a :class:`PatternRecognizer` (patterns, context words, a validator), the
way Presidio declares its country recognisers; names and addresses need rules that are
code, so they subclass :class:`Recognizer` and write ``find`` themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

Found = tuple[int, int, str]  # (start, end, kind)

VALIDATED, PLAIN = 1, 2  # overlap priority: a validated number beats a name or an address over it


# A run of digits and separators long enough to hold a phone number, an ID or a card:
# recognisers of those scan only inside such runs.
NUMBER_RUN = re.compile(r"[0-9+(（][0-9 \n\t.()（）+Xx\-—–_/·]{6,}")
_NOT_DIGITS = str.maketrans("", "", "0123456789")


@dataclass
class Context:
    """What a recogniser may use besides the text."""

    known_names: list[str]  # the account's own people
    lexicon: Collection[str]  # every name the platform holds
    found: list[Found] = field(default_factory=list)  # spans of the recognisers that ran before
    _runs: list[tuple[int, int, int]] | None = None
    _hints: dict[re.Pattern, bool] = field(default_factory=dict)

    def number_runs(self, text: str, min_digits: int = 0) -> list[tuple[int, int]]:
        """(start, end + 8) of each number run holding at least ``min_digits`` digits: more
        characters for the look-aheads and a landline's extension (转801)."""
        if self._runs is None:
            self._runs = [(m.start(), m.end() + 8, len(run) - len(run.translate(_NOT_DIGITS)))
                          for m in NUMBER_RUN.finditer(text) for run in (m.group(),)]
        return [(a, b) for a, b, digits in self._runs if digits >= min_digits]

    def hinted(self, hint: re.Pattern, text: str) -> bool:
        """``hint`` matches somewhere in ``text``; asked once per text, however many recognisers
        share the hint."""
        seen = self._hints.get(hint)
        if seen is None:
            seen = self._hints[hint] = hint.search(text) is not None
        return seen


class Recognizer:
    """One class of personal data.  ``order``: recognisers run in it (names last: they look
    for a name before a phone number); ``priority``: lower wins an overlap of equal extent."""

    kind: str
    placeholder: str
    priority: int = VALIDATED
    order: int = 0

    def find(self, text: str, ctx: Context) -> Iterable[Found]:
        raise NotImplementedError


def _window_has(text: str, start: int, words: tuple[str, ...], window: int) -> bool:
    before = text[max(0, start - window):start]
    return any(w in before for w in words)


@dataclass
class PatternRecognizer(Recognizer):
    """Patterns, context words before a match (required or not) and a validator.

    ``hint``: a cheap regex that must match somewhere before the patterns run at all;
    ``group``: the group of each pattern that is the identifier (the rest is context
    the pattern needs to see, e.g. 住院号：); ``in_number_runs``: the identifier is digits and
    separators only, so the patterns scan the text's number runs, not all of it, and only the
    runs holding at least ``min_digits`` digits (the fewest any of the patterns matches: a
    separator or a look-ahead is never a digit, so a shorter run cannot hold a match);
    ``excluded_by``: words that, within ``excluded_window`` characters before a match, say it is
    another number (订单, 发票…); ``listed``: values that follow a match as a list (、 , 和) are of the
    same kind.
    """

    kind: str
    placeholder: str
    patterns: tuple[re.Pattern, ...]
    validate: Callable[[str], bool] | None = None
    context: tuple[str, ...] = ()
    context_required: bool = False
    window: int = 12
    hint: re.Pattern | None = None
    group: int | str = 0
    priority: int = VALIDATED
    order: int = 0
    in_number_runs: bool = False
    min_digits: int = 0
    excluded_by: tuple[str, ...] = ()
    excluded_window: int = 8
    listed: bool = False

    def find(self, text: str, ctx: Context) -> list[Found]:
        if self.hint is not None and not ctx.hinted(self.hint, text):
            return []
        windows = ctx.number_runs(text, self.min_digits) if self.in_number_runs else ((0, len(text)),)
        out = []
        for a, b in windows:
            for rx in self.patterns:
                for m in rx.finditer(text, a, b):
                    if m.end() == b < len(text):
                        m = rx.match(text, m.start()) or m  # a match the window cut short (Ext. 5176)
                    start, end = m.span(self.group)
                    if start < 0:
                        continue
                    if self.context_required and not _window_has(text, start, self.context, self.window):
                        continue
                    if self.validate is not None and not self.validate(m.group(self.group)):
                        continue
                    if self.excluded_by and _window_has(text, start, self.excluded_by, self.excluded_window):
                        continue
                    out.append((start, end, self.kind))
                    if self.listed:
                        out += _listed_after(text, start, end, self.kind)
        return out


# The next values of a list after a labelled one (病案号00874512、00901276 和 00913377): the same shape,
# about the same length.
_NEXT_IN_LIST = re.compile(r"[ ]?(?:[、,，/;；]|和|及|与)[ ]?([A-Za-z]{0,3}[0-9][0-9A-Za-z-]{3,21})(?![0-9A-Za-z])")


_DATE = re.compile(r"(?:19|20)[0-9]{2}[-/.][0-9]{1,2}[-/.][0-9]{1,2}$")


def _listed_after(text: str, start: int, end: int, kind: str) -> list[Found]:
    out, width = [], end - start
    while (m := _NEXT_IN_LIST.match(text, end)) and abs(len(m.group(1)) - width) <= 2 \
            and not _DATE.match(m.group(1)):  # 住院号ZY2025-10283，2025-10-28入院: a date follows
        out.append((m.start(1), m.end(1), kind))
        end = m.end(1)
    return out


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, written as a trie (客(?:户(?:经理)?|服)):
    the engine tries one branch per character instead of every word in turn."""
    trie: dict = {}
    for w in words:
        node = trie
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else "(?:" + body + ")?"
        return body

    return build(trie)


def han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


SEPARATORS = str.maketrans("", "", " -.()+\n\t—–_/·")


def digits_of(text: str) -> str:
    return text.translate(SEPARATORS)
