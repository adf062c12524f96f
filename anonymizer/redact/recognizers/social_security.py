"""Social-security and medical-insurance card numbers: the value after 社保卡号, 医保卡号,
社会保障卡 and their kin (a resident ID number written there is an ID and found as one)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PatternRecognizer, alternation

CARD_WORDS = ("社保卡号", "社保卡", "医保卡号", "医保卡", "社会保障卡号", "社会保障卡", "社保号",
              "医保号", "医保编号", "个人医保编号", "医保个人编号", "社保编号", "社保账号", "医保账号", "参保号",
              "个人编号", "市民卡号", "市民卡", "社保电脑号", "电脑号", "医疗保险号", "医疗保险卡号", "社保个人编号",
              "社保卡卡号", "个人账户号", "医保账户号", "医疗保险个人账户号", "医保编码", "社保编码", "医保个人编码", "社保个人编码", "参保编码", "个人编码", "医保凭证号", "医保电子凭证号", "参保编号", "参保人编号", "社保号码", "医保卡卡号",
              "social security no", "social security number", "SI card no", "SI No", "medical insurance no",
              "MI Card No", "MI card no", "SI Card No", "Medical Insurance Card No", "医宝卡号")
_CARD = re.compile(
    r"(?:" + alternation(CARD_WORDS) + r")(?:码|号)?[）)]?(?:卡号|号码|编号)?(?:是|为)?[^0-9A-Za-z\n]{0,8}?"
    r"(?P<number>[A-Za-z]{0,3}[0-9][0-9A-Za-z -]{4,24}[0-9A-Za-z])(?![0-9A-Za-z])"
)


def _digits(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 5


# The shapes of card numbers themselves, close after talk of the card (报社保卡号 第一次报：A21349807,
# 医保卡号方便报一下吗 客户：A55021938): a letter and eight or nine digits; the new Jiangsu cards'
# area code, a letter and digits (320200D156000087731), written anywhere; the national medical
# insurance code's twenty digits.
_NEAR = (re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])(?: ?[0-9]){8,9}(?![0-9A-Za-z])"),
         re.compile(r"[1-8](?<![A-Za-z0-9][1-8])[0-9]{19}(?![0-9A-Za-z])"))
_AREA_LETTER = re.compile(r"[1-8](?<![A-Za-z0-9][1-8])[0-9]{5}[A-Z][0-9]{8,12}(?![0-9A-Za-z])")
# Other numbers talked about nearby: the number is more likely theirs.
_OTHER_BEFORE = ("护照", "回乡证", "通行证", "台胞证", "证件", "出生", "居留", "军官", "Passport", "passport", "发票",
                 "单号", "订单", "流水", "编号", "保单", "案件")


def _distance(text: str, start: int, end: int, words: tuple[str, ...], window: int) -> int | None:
    """Characters between the span and the closest of ``words`` before or after it, within ``window``."""
    before, after = text[max(0, start - window):start], text[end:end + window]
    found = [len(before) - before.rfind(w) - len(w) for w in words if w in before]
    found += [after.find(w) for w in words if w in after]
    return min(found) if found else None


class _Near(PatternRecognizer):
    """The card's talk must be the closest, before the number or after it: 护照…社保卡号 X and
    X（社会保障卡） are the card's, 医保…护照 X the passport's."""

    def find(self, text, ctx):
        out = []
        for f in super().find(text, ctx):
            card = _distance(text, f[0], f[1], self.context, self.window)
            other = _distance(text, f[0], f[1], _OTHER_BEFORE, self.window)
            if card is not None and (other is None or card <= other):
                out.append(f)
        return out


# Talk of the card: a word naming it, or 卡号 (no bank card is written as a letter and eight or nine digits).
NEAR = _Near(kind="SOCIAL_SECURITY", placeholder="〔社保卡号〕", patterns=_NEAR, priority=0,
             context=("社保", "医保", "社会保障", "市民卡", "医疗保险", "卡号"), window=40,
             hint=re.compile("社保|医保|社会保障|市民卡|医疗保险|卡号"))
AREA_LETTER = PatternRecognizer(kind="SOCIAL_SECURITY", placeholder="〔社保卡号〕", patterns=(_AREA_LETTER,),
                                priority=0)
# A letter passports and permits do not use, and eight digits (birth certificates have nine): the card numbers of the
# social-security cards, wherever they are written (unless an order or invoice number is meant).
_LETTER_CARD = re.compile(r"[ABFJNQRTUVWXYZ](?<![A-Za-z0-9][ABFJNQRTUVWXYZ])[0-9]{8}(?![0-9A-Za-z]|-[0-9])")  # not T20251108-115


LETTER_CARD = PatternRecognizer(kind="SOCIAL_SECURITY", placeholder="〔社保卡号〕", patterns=(_LETTER_CARD,),
                                priority=0, excluded_by=_OTHER_BEFORE, excluded_window=12)
RECOGNIZER = PatternRecognizer(kind="SOCIAL_SECURITY", placeholder="〔社保卡号〕", patterns=(_CARD,),
                               group="number", priority=0, validate=_digits, listed=True, hint=re.compile("社保|医保|医宝|社会保障|参保|个人编号|个人编码|市民卡|电脑号|医疗保险|social security|SI |MI |[Mm]edical"))
RECOGNIZERS = (RECOGNIZER, NEAR, AREA_LETTER, LETTER_CARD)
