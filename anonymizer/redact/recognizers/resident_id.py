"""Resident ID numbers: 18 characters with the ISO 7064 check character, or the old 15 digits.

Digits that merely look like one (an order number, an ID with a wrong check character)
survive: the check, a province code and a real birth date decide.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric

from anonymizer.redact.base import PatternRecognizer, digits_of

# GB/T 2260 province codes: the first two digits of every resident ID.
PROVINCES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
))
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
    if len(digits) != 18 or digits[:2] not in PROVINCES or not "1880" <= digits[6:10] <= "2099":
        return False
    try:
        return ric.calc_check_digit(digits) == digits[17] and ric.get_birth_date(digits) is not None
    except Exception:  # noqa: BLE001 - an impossible date is simply not an ID
        return False


def _valid_id15(digits: str) -> bool:
    if digits[:2] not in PROVINCES:
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
