"""Chinese identifiers as data: 18-digit resident ID, mobile numbers, bank cards.

One module so the generator that makes them, the validator that checks them and
the pseudonymiser that derives attributes from them agree on every rule.
Validation of the resident ID checksum and birth place is delegated to
python-stdnum (``stdnum.cn.ric``); we only add what it does not do (birth date
not in the future relative to a reference date, derivations we need).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from stdnum.cn import ric

RESIDENT_ID = "居民身份证"
ID_TYPES = (
    RESIDENT_ID,
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
)

# GB/T 2260 province codes: the first two digits of every resident ID (71 台湾, 81 香港, 82 澳门,
# 83 the residence permits of people from Taiwan).
PROVINCE_PREFIXES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
))

# 11 digits, 1[3-9]: the numbering plan of the mainland mobile networks.
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
_MOBILE_RE = re.compile(MOBILE_PATTERN)


def make_resident_id(region_code: str, birth: date, seq: int) -> str:
    """Build a checksum-valid ID. ``seq`` 0-999: odd is male, even female."""
    body = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum reads the first 17 of 18 characters


_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def has_resident_id_shape(value: str) -> bool:
    """17 digits and a check character: what is read as a resident ID (and then checked) at all."""
    return bool(_ID_SHAPE.match(value.upper()))


def resident_id_problem(
    value: str | None, as_of: date | None = None, regions: Collection[str] | None = None
) -> str | None:
    """Why ``value`` is not a usable resident ID, or None when it is.

    The checksum and the calendar check are python-stdnum's.  Its own birth-place
    table is not used: it lacks region codes withdrawn by later GB/T 2260
    revisions (320202 崇安区, merged in 2015), which stay in people's IDs for
    life; pass ``regions`` (every code any revision had) to check the place.
    """
    if value is None or value == "":
        return "missing"
    value = value.upper()
    if not has_resident_id_shape(value):
        return "bad_format"
    if ric.calc_check_digit(value) != value[17]:
        return "bad_checksum"
    try:
        birth = ric.get_birth_date(value)
    except ValueError:
        return "bad_birth_date"
    if as_of is not None and birth > as_of:
        return "future_birth_date"
    if regions is not None and value[:6] not in regions:
        return "unknown_region"
    return None


def is_valid_resident_id(
    value: str | None, as_of: date | None = None, regions: Collection[str] | None = None
) -> bool:
    return resident_id_problem(value, as_of, regions) is None


def resident_id_birth_date(value: str) -> date:
    return ric.get_birth_date(value.upper())


def resident_id_sex(value: str) -> str:
    """男 for an odd sequence digit, 女 for even (GB 11643)."""
    return "男" if int(value[16]) % 2 else "女"


def is_valid_mobile(value: str | None) -> bool:
    return bool(value) and bool(_MOBILE_RE.match(value))


def luhn_check_digit(partial: str) -> str:
    total = 0
    for i, d in enumerate(reversed(partial)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    return number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]
