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


@dataclass
class Context:
    """What a recogniser may use besides the text."""

    known_names: list[str]  # the account's own people
    lexicon: Collection[str]  # every name the platform holds
    found: list[Found] = field(default_factory=list)  # spans of the recognisers that ran before


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
    the pattern needs to see, e.g. 住院号：).
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

    def find(self, text: str, ctx: Context) -> Iterable[Found]:
        if self.hint is not None and not self.hint.search(text):
            return
        for rx in self.patterns:
            for m in rx.finditer(text):
                start, end = m.span(self.group)
                if start < 0:
                    continue
                if self.context_required and not _window_has(text, start, self.context, self.window):
                    continue
                if self.validate is not None and not self.validate(m.group(self.group)):
                    continue
                yield start, end, self.kind


def han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


SEPARATORS = str.maketrans("", "", " -.()+\n\t")


def digits_of(text: str) -> str:
    return text.translate(SEPARATORS)
