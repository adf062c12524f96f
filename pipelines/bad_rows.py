"""The documented matrix of malformed rows that ``yihui generate --bad-rows`` adds.

Each class is one way real operational data goes wrong.  The rows are added on
top of the good data (never replacing it), with record ids far above any the
generator uses, so a test can assert that exactly these rows are quarantined,
each with its own reason, and that the good data still publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.idnumbers import make_resident_id
from core.schema import CHILD, OTHER

BASE = 9_000_000_000
TS = "2026-11-01 10:00:00"


@dataclass(frozen=True)
class BadRow:
    klass: str
    table: str
    reason: str  # the quarantine reason code validation must give
    description: str
    row: tuple


def _person(pid: int, name: str | None, id_type: str, id_number: str | None, birthday: str,
            relationship: str = OTHER) -> tuple:
    return (pid, 1, relationship, name, id_type, id_number, "男", birthday, TS, TS)


def matrix() -> list[BadRow]:
    """Every class of bad row, one or more rows each."""
    good_id = make_resident_id("320213", date(1985, 3, 9), 37)
    bad_checksum = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    acct = lambda aid, openid, mobile: (aid, openid, mobile, TS, "公众号关注", "active", None, False, TS)
    return [
        BadRow("bad_id_checksum", "insured_persons", "invalid_id_number",
               "resident ID whose ISO 7064 check character is wrong",
               _person(BASE + 1, "王建国", "居民身份证", bad_checksum, "1985-03-09")),
        BadRow("malformed_mobile", "accounts", "invalid_mobile", "10-digit mobile",
               acct(BASE + 1, "oBadRowMobile000000000000001", "1381234567")),
        BadRow("malformed_mobile", "accounts", "invalid_mobile", "mobile with a 2 after the leading 1",
               acct(BASE + 2, "oBadRowMobile000000000000002", "12812345678")),
        BadRow("future_birthday", "insured_persons", "birthday_in_future",
               "passport holder whose declared birthday is after the load date",
               _person(BASE + 2, "李明", "护照", "E12345678", "2031-05-01")),
        BadRow("orphan_foreign_key", "orders", "orphan_foreign_key", "order for an account that does not exist",
               (BASE + 1, "YHBAD0000001", BASE + 999, "HXB2026", 2026, 9900, "paid", TS, TS)),
        BadRow("duplicate_key", "accounts", "duplicate_key", "two accounts claiming one OpenID",
               acct(BASE + 3, "oBadRowDuplicate000000000001", "13912345678")),
        BadRow("duplicate_key", "accounts", "duplicate_key", "two accounts claiming one OpenID",
               acct(BASE + 4, "oBadRowDuplicate000000000001", "13912345679")),
        BadRow("missing_required_field", "insured_persons", "missing_required_field", "insured person with no ID number",
               _person(BASE + 3, "赵敏", "居民身份证", None, "1990-01-01")),
        BadRow("mojibake", "insured_persons", "encoding_error", "UTF-8 name decoded as Latin-1",
               _person(BASE + 4, "å¼ ä¸‰", "护照", "E22345678", "1980-01-01")),
        BadRow("mojibake", "insured_persons", "encoding_error", "name with replacement characters 锟斤拷",
               _person(BASE + 5, "锟斤拷", "护照", "E32345678", "1980-01-01")),
        BadRow("oversized_text", "service_records", "text_too_long", "a 20,000-character note",
               (BASE + 1, 1, "consultation", "在线客服", "closed", TS, TS, "很长的留言" * 4000, TS)),
        BadRow("injection", "insured_persons", "invalid_name", "SQL injection in a name field",
               _person(BASE + 6, "Robert'); DROP TABLE accounts;--", "护照", "E42345678", "1980-01-01")),
        BadRow("minor_without_guardian_consent", "insured_persons", "missing_guardian_consent",
               "a child insured with no guardian consent recorded (§七)",
               _person(BASE + 7, "钱小宝", "护照", "E52345678", "2016-06-01", relationship=CHILD)),
        BadRow("injection", "accounts", "invalid_openid", "SQL injection in an OpenID",
               acct(BASE + 5, "' OR 1=1 --", "13812340000")),
    ]


def build() -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for b in matrix():
        out.setdefault(b.table, []).append(b.row)
    return out
