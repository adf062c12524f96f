"""Resident ID numbers: 18 characters with the ISO 7064 check character, or the old 15 digits.

Digits that merely look like one (an order number, an ID with a wrong check character)
survive: the check, a province code and a real birth date decide.
"""

from __future__ import annotations

import re
from datetime import date

from anonymizer.redact.base import PatternRecognizer, digits_of
from core.idnumbers import PROVINCE_PREFIXES, resident_id_problem

# 18 characters, a single space, dash, dot or line break allowed between any two (6-8-4, 4-4-4-4-2…),
# or the 15 digits of an ID issued before 1999.
_SEP = r"[ \n\t\-—–_/·.]?"
# No letter or digit right before, except the label ID written against it (ID320206…).
_ID18 = re.compile(rf"[1-8](?:(?<=I[Dd][1-8])|(?<=id[1-8])|(?<![0-9A-Za-z][1-8]))[0-9](?:{_SEP}[0-9]){{15}}{_SEP}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(rf"[1-8](?<![0-9A-Za-z][1-8])[0-9](?:{_SEP}[0-9]){{13}}(?![0-9A-Za-z])")
NOT_ID_BEFORE = ("订单", "单号", "流水", "交易", "编号", "保单", "案件", "发票", "凭证", "工单", "快递", "运单")


def valid_id(text: str) -> bool:
    digits = digits_of(text).upper()
    if len(digits) == 15:
        return _valid_id15(digits)
    return (len(digits) == 18 and digits[:2] in PROVINCE_PREFIXES and "1880" <= digits[6:10] <= "2099"
            and resident_id_problem(digits) is None)


def _valid_id15(digits: str) -> bool:
    if digits[:2] not in PROVINCE_PREFIXES:
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def id_shaped(digits: str) -> bool:
    """18 digits with a plausible birth date where an ID has it: an ID with a typo, not a card."""
    return (len(digits) == 18 and digits[6:8] in ("19", "20") and "01" <= digits[10:12] <= "12"
            and "01" <= digits[12:14] <= "31")


RECOGNIZER = PatternRecognizer(
    kind="ID", placeholder="〔身份证号〕", patterns=(_ID18,), validate=valid_id, priority=0, in_number_runs=True,
    min_digits=17,
)
# 15 digits are as often an order or waybill number: not after a word that says so.
OLD_ID = PatternRecognizer(
    kind="ID", placeholder="〔身份证号〕", patterns=(_ID15,), validate=valid_id, priority=0, in_number_runs=True,
    min_digits=15, excluded_by=NOT_ID_BEFORE,
)
RECOGNIZERS = (RECOGNIZER, OLD_ID)
