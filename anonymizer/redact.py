"""Free-text redaction into typed placeholders, tuned for Chinese service notes.

People type identifiers in every shape: ``138 1234 5678``, ``+86-138…``,
``0086138…``, ID numbers with spaces or dashes or a lower-case ``x``.  Each
detector is a precise pattern plus a validator where the identifier has one
(ISO 7064 checksum for IDs via python-stdnum, Luhn for bank cards), so runs of
digits that merely look like an identifier (order numbers, amounts) survive.

Names come from two sources: the known names of the account's own people
(policyholder, family, group contact), matched exactly; and unknown names
found by a surname followed by a courtesy cue (王先生, 李女士), or a surname and
one or two characters after a cue that introduces a person (收件人, 联系人, 代).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from stdnum.cn import ric

from pipelines.idnumbers import is_luhn_valid

PLACEHOLDERS = {
    "NAME": "〔姓名〕",
    "ID": "〔身份证号〕",
    "DOCUMENT": "〔证件号〕",
    "MOBILE": "〔手机号〕",
    "EMAIL": "〔邮箱〕",
    "CARD": "〔银行卡号〕",
    "ADDRESS": "〔地址〕",
    "OPENID": "〔OpenID〕",
}
CUES = "先生|女士|小姐|老师|阿姨|师傅|经理|大爷|大妈"
INTRODUCERS = "收件人|联系人|代"

_ID = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{5}[ -]?(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9][ -]?[0-9]{3}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+86|0086)[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
# Passport and permit numbers: a letter and 8 digits (护照 E…, 港澳通行证 H/M…, 台胞证…).
_DOCUMENT = re.compile(r"(?<![A-Za-z0-9])[EGHKLMPSD][0-9]{8}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![0-9])[3-6][0-9]{11,18}(?![0-9])")
_OPENID = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")
_ADDRESS = re.compile(
    r"(?:[\u4e00-\u9fff]{2,7}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}市)?(?:[\u4e00-\u9fff]{1,7}[区县])?"
    r"[\u4e00-\u9fff]{1,12}(?:路|街|大道|巷|道)[0-9]{1,5}号(?:[0-9]{1,4}(?:栋|幢|号楼))?(?:[0-9]{1,5}室)?"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@lru_cache(maxsize=1)
def _surnames() -> tuple[str, ...]:
    from faker.providers.person.zh_CN import Provider

    return tuple(sorted(Provider.last_names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _unknown_name_patterns() -> tuple[re.Pattern, re.Pattern]:
    surnames = "|".join(_surnames())
    cue = re.compile(f"(?:{surnames})(?:{CUES})")
    introduced = re.compile(
        f"(?:{INTRODUCERS})((?:{surnames})[\u4e00-\u9fff]{{1,2}}?)(?=[，,。、；;：:\\s]|咨询|来电|反映|$)"
    )
    return cue, introduced


def _valid_id(text: str) -> bool:
    digits = re.sub(r"[ -]", "", text).upper()
    try:
        return ric.calc_check_digit(digits) == digits[17] and ric.get_birth_date(digits) is not None
    except Exception:  # noqa: BLE001 - an impossible date is simply not an ID
        return False


def find(text: str, known_names: Iterable[str] = ()) -> list[Span]:
    """Non-overlapping PII spans, earliest and longest first."""
    spans: list[Span] = []
    spans += [Span(m.start(), m.end(), "ID") for m in _ID.finditer(text) if _valid_id(m.group())]
    spans += [Span(m.start(), m.end(), "DOCUMENT") for m in _DOCUMENT.finditer(text)]
    spans += [Span(m.start(), m.end(), "EMAIL") for m in _EMAIL.finditer(text)]
    spans += [Span(m.start(), m.end(), "OPENID") for m in _OPENID.finditer(text)]
    spans += [Span(m.start(), m.end(), "MOBILE") for m in _MOBILE.finditer(text)]
    spans += [Span(m.start(), m.end(), "CARD") for m in _CARD.finditer(text) if is_luhn_valid(m.group())]
    spans += [Span(m.start(), m.end(), "ADDRESS") for m in _ADDRESS.finditer(text)]
    for name in sorted({n for n in known_names if n and len(n) >= 2}, key=len, reverse=True):
        start = text.find(name)
        while start != -1:
            spans.append(Span(start, start + len(name), "NAME"))
            start = text.find(name, start + len(name))
    cue, introduced = _unknown_name_patterns()
    spans += [Span(m.start(), m.end(), "NAME") for m in cue.finditer(text)]
    spans += [Span(m.start(1), m.end(1), "NAME") for m in introduced.finditer(text)]
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    chosen: list[Span] = []
    for s in spans:
        if chosen and s.start < chosen[-1].end:
            continue
        chosen.append(s)
    return chosen


def redact(text: str | None, known_names: Iterable[str] = ()) -> str | None:
    """``text`` with every PII span replaced by its typed placeholder."""
    if text is None:
        return None
    out, last = [], 0
    for s in find(text, known_names):
        out.append(text[last:s.start])
        out.append(PLACEHOLDERS[s.kind])
        last = s.end
    out.append(text[last:])
    return "".join(out)
