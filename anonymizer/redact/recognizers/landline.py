"""Fixed-line numbers: an area code (0510, 021…) then a 7-8 digit number, an extension
after it; a bare 8-digit local number only after a word that says it is a phone.  The
hotline 4006-131-208, 95xxx numbers and 12345 have no area code and are left."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

_EXT = r"(?:[ ]?(?:转|-|[Ee]xt\.?|EXT\.?|分机)[ ]?[0-9]{1,5}(?![0-9]))?"
_AREA = re.compile(
    r"(?<![0-9A-Za-z])(?:\(0[1-9][0-9]{1,2}\)|（0[1-9][0-9]{1,2}）|0[1-9][0-9]{1,2}[ \n-]?)"
    r"[2-8][0-9]{2,3}[ -]?[0-9]{4}(?![0-9])" + _EXT
    # dotted, as on business cards: 0510.8826.3391
    + r"|(?<![0-9A-Za-z.])0[1-9][0-9]{1,2}\.[2-8][0-9]{2,3}\.[0-9]{4}(?![0-9]|\.[0-9])"
)
# Written the international way: +86-510-8110 2288.
_INTERNATIONAL = re.compile(r"\+86[ -]?(?:10|2[0-9]|[3-9][0-9]{1,2})[ -]?[2-8][0-9]{2,3}[ -]?[0-9]{4}(?![0-9])" + _EXT)
_LOCAL = re.compile(r"[2-8](?<![0-9A-Za-z.-][2-8])[0-9]{3}[ -]?[0-9]{4}(?![0-9.])" + _EXT)
PHONE_WORDS = ("电话", "座机", "固话", "家电", "宅电", "办公室", "Tel", "TEL", "tel", "联系方式", "号码", "分机")

RECOGNIZER = PatternRecognizer(kind="LANDLINE", placeholder="〔电话〕", patterns=(_AREA, _INTERNATIONAL),
                               in_number_runs=True, min_digits=10)
LOCAL = PatternRecognizer(kind="LANDLINE", placeholder="〔电话〕", patterns=(_LOCAL,), context=PHONE_WORDS,
                          context_required=True, window=24, in_number_runs=True, min_digits=8)
RECOGNIZERS = (RECOGNIZER, LOCAL)
