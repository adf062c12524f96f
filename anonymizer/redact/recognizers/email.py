"""E-mail addresses: the domain found first, the local part going left from the @."""

from __future__ import annotations

import re

from anonymizer.redact.base import Recognizer

_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")  # the same, whole


class _Email(Recognizer):
    kind, placeholder, priority = "EMAIL", "〔邮箱〕", 0
    patterns = (PATTERN,)

    def find(self, text, ctx):
        if "@" not in text:
            return
        for m in _DOMAIN.finditer(text):
            st = m.start()
            while st > 0 and text[st - 1] in _LOCAL:
                st -= 1
            if st < m.start():
                yield st, m.end(), "EMAIL"


RECOGNIZER = _Email()
