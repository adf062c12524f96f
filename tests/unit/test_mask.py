"""Masked display: the published formats, and SQL twins that agree with Python."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from anonymizer import mask
from anonymizer.pseudonymise import install_shared_macros
from core.idnumbers import make_resident_id

ID = make_resident_id("320211", date(1985, 3, 9), 371)
SAMPLES = {
    "mobile": ["13812341234", "+86 138 1234 1234", "0086-138-1234-1234", "1381234", "", None],
    "name": ["张三", "欧阳娜娜", "李", "", None, "买买提·艾力"],
    "login": ["xiuying52", "wx_张小明", "ab", "a", "abc", "", None],
    "id": [ID, "E12345678", "x", None],
}


def test_mobile_shows_prefix_and_last_four_only():
    assert mask.mask_mobile("+86 138-1234-5678") == "138****5678"
    assert mask.mask_mobile("12345") is None


def test_name_keeps_the_surname_character_only():
    assert mask.mask_name("张三") == "张*"
    assert mask.mask_name("欧阳娜娜") == "欧***"


def test_resident_id_hides_birth_date_and_sex_digit():
    number = ID
    masked = mask.mask_id(number)
    assert len(masked) == 18 and masked[:4] == number[:4] and masked[-1] == number[-1]
    assert "19850309" not in masked and masked[6:14] == "*" * 8 and masked[16] == "*"


def test_login_name_length_is_not_revealed():
    assert mask.mask_login("xiuying52") == mask.mask_login("xiuyingfang2") == "x***2"


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_sql_masking_macros_agree_with_python(kind):
    con = duckdb.connect()
    install_shared_macros(con)
    python = getattr(mask, f"mask_{kind}")
    for value in SAMPLES[kind]:
        assert con.execute(f"SELECT mask_{kind}(?::VARCHAR)", [value]).fetchone()[0] == python(value), value
