"""Bank cards: 16-19 digits starting with a card network's digit, in any grouping, with a
valid Luhn digit, not ID-shaped and not after a word that names another number."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer, digits_of
from anonymizer.redact.recognizers.resident_id import id_shaped
from core.idnumbers import is_luhn_valid

_CARD = re.compile(r"[3-6](?<![0-9A-Za-z][3-6])[0-9]{3}(?:[ \n\t\-—–_/·]?[0-9]){12,15}(?![0-9A-Za-z])")
NOT_CARD_BEFORE = ("订单", "单号", "流水", "交易号", "编号", "保单", "案件号", "住院号", "发票", "凭证号")


def valid_card(text: str) -> bool:
    digits = digits_of(text)
    return is_luhn_valid(digits) and not id_shaped(digits)


RECOGNIZER = PatternRecognizer(kind="CARD", placeholder="〔银行卡号〕", patterns=(_CARD,), validate=valid_card,
                               in_number_runs=True, min_digits=16, excluded_by=NOT_CARD_BEFORE)
