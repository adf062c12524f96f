"""Licence plates: a province's character, the city letter, then five (six for new-energy)
letters and digits, with or without a dot or space (苏B·12345, 苏BD12345, 沪A 8K2M9)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(f"[{_PROVINCES}] ?[A-HJ-NP-Za-hj-np-z][·・.•\\- ]?[A-HJ-NP-Za-hj-np-z0-9](?: ?[A-HJ-NP-Za-hj-np-z0-9]){{4,5}}"
                    "(?:学|警|挂|领|港|澳)?(?![A-Za-z0-9])")


def _plausible(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 2


# Learner, police, trailer and Hong Kong / Macau plates: four characters before their mark (苏B 1234学, 粤Z·1234港).
_MARKED = re.compile(f"[{_PROVINCES}] ?[A-HJ-NP-Za-hj-np-z][·・.•\\- ]?[A-HJ-NP-Za-hj-np-z0-9](?: ?[A-HJ-NP-Za-hj-np-z0-9]){{3}}"
                     "(?:学|警|挂|领|港|澳)")
RECOGNIZER = PatternRecognizer(kind="PLATE", placeholder="〔车牌〕", patterns=(_PLATE, _MARKED), validate=_plausible,
                               hint=re.compile(f"[{_PROVINCES}] ?[A-Za-z]"))
