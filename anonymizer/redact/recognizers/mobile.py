"""Mobile numbers: 3-4-4 or any grouping with single separators (or a line break), +86 / 0086 in front,
or one digit per space as OCR and careful typists write them."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer

_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+86|0086|\(\+86\)|86)[ -]?)?1[3-9][0-9](?:[ .\n\t\-—–_/·]{0,2}[0-9]){8}(?![0-9])"
)
_SPACED = re.compile(r"(?<![0-9])1 [3-9](?: [0-9]){9}(?![ ]?[0-9])")

RECOGNIZER = PatternRecognizer(
    kind="MOBILE", placeholder="〔手机号〕", patterns=(_MOBILE, _SPACED), in_number_runs=True, min_digits=11,
)
