"""Social-security and medical-insurance card numbers: the value after 社保卡号, 医保卡号,
社会保障卡 and their kin (a resident ID number written there is an ID and found as one)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer, alternation

CARD_WORDS = ("社保卡号", "社保卡", "医保卡号", "医保卡", "社会保障卡号", "社会保障卡", "社保号",
              "医保号", "医保编号", "个人医保编号", "医保个人编号", "社保编号", "社保账号", "医保账号", "参保号",
              "个人编号", "市民卡号", "市民卡", "社保电脑号", "电脑号", "医疗保险号", "医疗保险卡号", "社保个人编号",
              "社保卡卡号", "医保凭证号", "医保电子凭证号", "参保编号", "参保人编号", "社保号码", "医保卡卡号",
              "social security no", "social security number", "SI card no", "SI No", "medical insurance no")
_CARD = re.compile(
    r"(?:" + alternation(CARD_WORDS) + r")(?:码|号)?[）)]?(?:卡号|号码|编号)?(?:是|为)?[^0-9A-Za-z\n]{0,8}?"
    r"(?P<number>[A-Za-z]{0,3}[0-9][0-9A-Za-z -]{4,24}[0-9A-Za-z])(?![0-9A-Za-z])"
)


def _digits(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 5


RECOGNIZER = PatternRecognizer(kind="SOCIAL_SECURITY", placeholder="〔社保卡号〕", patterns=(_CARD,),
                               group="number", priority=0, validate=_digits, hint=re.compile("社保|医保|社会保障|参保|个人编号|市民卡|电脑号|医疗保险|social security|SI "))
