"""Mobile numbers: 3-4-4 or any grouping with single separators (or a line break), +86 / 0086 in front,
or one digit per space as OCR and careful typists write them; and the mobiles of Hong Kong (+852,
eight digits from 4-9), Macau (+853 6…) and Taiwan (+886 9…, eight more), written with their code."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+86|0086|\(\+86\)|86)[ -]?)?1[3-9][0-9](?:[ .\n\t\-—–_/·]{0,2}[0-9]){8}(?![0-9])"
)
_SPACED = re.compile(r"(?<![0-9])1 [3-9](?: [0-9]){9}(?![ ]?[0-9])")
_SEP = r"[ .\-]?"
_NEIGHBOURS = re.compile(
    rf"(?<![0-9A-Za-z])(?:\+|00|\(\+?)(?:(?:852\)?{_SEP}[4-9]|853\)?{_SEP}6)(?:{_SEP}[0-9]){{7}}"
    rf"|886\)?{_SEP}9(?:{_SEP}[0-9]){{8}})(?![0-9])")


RECOGNIZER = PatternRecognizer(
    kind="MOBILE", placeholder="〔手机号〕", patterns=(_MOBILE, _SPACED, _NEIGHBOURS), in_number_runs=True, min_digits=11,
)
