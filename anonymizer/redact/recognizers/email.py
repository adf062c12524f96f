"""E-mail addresses: the domain found first, the local part going left from the @."""

from __future__ import annotations

import re

from anonymizer.redact.base import Recognizer

_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")  # the same, whole


# Dictated in a call: s i m a w q 八八 at 一六三点com, zhangwei at qq dot com.
_SPOKEN = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z][A-Za-z0-9])(?:[ ._-]?[A-Za-z0-9零〇一幺二两三四五六七八九]){2,30}"
    r" ?(?:at|艾特|圈a|圈A) ?[A-Za-z0-9零〇一幺二两三四五六七八九]{2,12} ?(?:点|dot|\.) ?(?:com|cn|net|org)"
    r"(?: ?(?:点|dot|\.) ?cn)?(?![A-Za-z])"
)


class _Email(Recognizer):
    kind, placeholder, priority = "EMAIL", "〔邮箱〕", 0
    patterns = (PATTERN,)

    def find(self, text, ctx):
        if ("点" in text or " dot " in text) and ("at" in text or "艾特" in text or "圈" in text):
            for m in _SPOKEN.finditer(text):
                yield m.start(), m.end(), "EMAIL"
        if "@" not in text:
            return
        for m in _DOMAIN.finditer(text):
            st = m.start()
            while st > 0 and text[st - 1] in _LOCAL:
                st -= 1
            if st < m.start():
                yield st, m.end(), "EMAIL"


RECOGNIZER = _Email()
