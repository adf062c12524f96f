"""Passports, permits and certificates: a letter and 8 digits (护照 E/G…, 港澳通行证 C), or any
number of 7-15 letters and digits after the document's name (回乡证, 台胞证, 出生医学证明…)."""

from __future__ import annotations

import re

from stdnum.cn import ric

from anonymizer.redact.base import PatternRecognizer, alternation

_LETTER_DIGITS = re.compile(
    r"[CEGHKLMPSD](?<![0-9A-Za-z][CEGHKLMPSD])(?:[0-9]{8}(?:[0-9]{2})?|(?<=E)[A-Z][0-9]{7})(?![0-9A-Za-z])")
DOCUMENT_WORDS = ("护照", "通行证", "回乡证", "台胞证", "出生证", "出生医学证明", "居留证", "军官证", "士兵证",
                  "警官证", "港澳证", "证件号", "证件号码", "证号", "居留身份证", "永居证", "永久居留证", "出生证明", "Passport", "passport", "PASSPORT")
_AFTER_WORD = re.compile(
    r"(?:" + alternation(DOCUMENT_WORDS) + r")[，,）)（(]?\s?(?:号码|号|编号|[Nn]o\.?|[Nn]umber)?(?:是|为)?[：:#=\s]{0,3}"
    r"(?P<number>[A-Za-z]{0,3}[0-9][0-9A-Za-z]{5,13}(?:[（(][A-Za-z0-9][）)])?)(?![0-9A-Za-z])"
)


def _has_digits(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 6


# 军官证 numbers: 南字第0821456号.
_MILITARY = re.compile(r"[\u4e00-\u9fff]{1,2}字第[0-9]{5,9}号")
# Foreigners' permanent residence cards (three letters, twelve digits: CAN320090101502), and a
# birth certificate's letter and nine digits within a few words of 出生.
_RESIDENCE = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]{2}[0-9]{12}(?![A-Za-z0-9])")
_BIRTH = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[0-9]{9}(?![A-Za-z0-9])")
DOCUMENT = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_LETTER_DIGITS,))
AFTER_WORD = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_AFTER_WORD,), group="number",
                               validate=_has_digits, listed=True, hint=re.compile("证|护照|[Pp]assport|PASSPORT"))
MILITARY = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_MILITARY,),
                             hint=re.compile("字第"))
RESIDENCE = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_RESIDENCE,))
BIRTH = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_BIRTH,), context=("出生",),
                          context_required=True, window=40, hint=re.compile("出生"))
# The permanent residence card issued since 2023: eighteen digits starting with 9 (province, country
# code, birth date, sequence and the ISO 7064 check character of resident IDs): anywhere when the
# check holds, after the card's name even when it does not (a typo leaves the person no less named).
_RESIDENCE_2023 = re.compile(r"9(?<![0-9A-Za-z]9)[0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def _residence_check(text: str) -> bool:
    return ric.calc_check_digit(text.upper()) == text[-1].upper()


RESIDENCE_2023 = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_RESIDENCE_2023,),
                                   validate=_residence_check, in_number_runs=True, min_digits=17)
RESIDENCE_2023_NAMED = PatternRecognizer(kind="DOCUMENT", placeholder="〔证件号〕", patterns=(_RESIDENCE_2023,),
                                         context=("居留", "永居", "永久居留"), context_required=True, window=16,
                                         in_number_runs=True, min_digits=17)
RECOGNIZERS = (DOCUMENT, AFTER_WORD, MILITARY, RESIDENCE, BIRTH, RESIDENCE_2023, RESIDENCE_2023_NAMED)
