"""Masked display for lists that are published (§三.(三): lottery winners).

Masking is not pseudonymisation: a masked value is shown to the public, so it
must not single anyone out on its own, and it keeps only what the policy
allows: ``138****1234`` for a mobile, ``张*`` for a name, a login name cut to
its first and last character, and an ID number showing neither the birth date
(digits 7-14) nor the sex digit (17).

These are the reference implementations; ``anonymizer/sql/macros.sql`` has the
SQL twins (``mask_mobile`` …) the pseudonymiser applies inside the vault, and
a test holds the two to the same output.
"""

from __future__ import annotations

import re

RESIDENT_ID_LENGTH = 18


def mask_mobile(mobile: str | None) -> str | None:
    digits = re.sub(r"[^0-9]", "", mobile or "")
    if len(digits) < 11:
        return None
    digits = digits[-11:]  # drop +86 / 0086
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str | None:
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_login(login: str | None) -> str | None:
    """First and last character around a fixed ``***`` (the length is not shown)."""
    if not login:
        return None
    if len(login) <= 3:
        return login[0] + "*" * (len(login) - 1) if len(login) > 1 else "*"
    return f"{login[0]}***{login[-1]}"


def mask_id(number: str | None) -> str | None:
    """Province and city (4 digits) and the check character of a resident ID; ends only otherwise."""
    if not number or len(number) < 2:
        return None
    if len(number) == RESIDENT_ID_LENGTH:
        return number[:4] + "*" * 13 + number[-1]
    return number[0] + "*" * (len(number) - 2) + number[-1]
