"""Masked display on published lists: the formats the SQL macros (anonymizer/sql/macros.sql) give."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from anonymizer.pseudonymise import install_shared_macros
from core.idnumbers import make_resident_id

ID = make_resident_id("320211", date(1985, 3, 9), 371)
EXPECTED = {  # kind -> (value, masked)
    "mobile": [("13812341234", "138****1234"), ("+86 138 1234 1234", "138****1234"),
               ("0086-138-1234-1234", "138****1234"), ("1381234", None), ("", None), (None, None)],
    "name": [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("", None), (None, None), ("买买提·艾力", "买*****")],
    "login": [("xiuying52", "x***2"), ("wx_张小明", "w***明"), ("ab", "a*"), ("a", "*"), ("abc", "a**"),
              ("", None), (None, None)],
    "id": [(ID, ID[:4] + "*" * 13 + ID[-1]), ("E12345678", "E*******8"), ("x", None), (None, None)],
}


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    install_shared_macros(c)
    return c


def _mask(con, kind: str, value: str | None) -> str | None:
    return con.execute(f"SELECT mask_{kind}(?::VARCHAR)", [value]).fetchone()[0]


def test_mobile_shows_prefix_and_last_four_only(con):
    assert _mask(con, "mobile", "+86 138-1234-5678") == "138****5678"
    assert _mask(con, "mobile", "12345") is None


def test_name_keeps_the_surname_character_only(con):
    assert _mask(con, "name", "张三") == "张*"
    assert _mask(con, "name", "欧阳娜娜") == "欧***"


def test_resident_id_hides_birth_date_and_sex_digit(con):
    masked = _mask(con, "id", ID)
    assert len(masked) == 18 and masked[:4] == ID[:4] and masked[-1] == ID[-1]
    assert "19850309" not in masked and masked[6:14] == "*" * 8 and masked[16] == "*"


def test_login_name_length_is_not_revealed(con):
    assert _mask(con, "login", "xiuying52") == _mask(con, "login", "xiuyingfang2") == "x***2"


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_masking_macro_gives_the_published_format(con, kind):
    for value, masked in EXPECTED[kind]:
        assert _mask(con, kind, value) == masked, value
