from datetime import date

import pytest
from stdnum.cn import ric

from core.idnumbers import (
    is_luhn_valid,
    is_valid_mobile,
    luhn_check_digit,
    make_resident_id,
    resident_id_problem,
    resident_id_sex,
)

REGIONS = {"320213", "320202"}


def test_built_ids_pass_stdnum_checksum_and_carry_birth_date_and_sex():
    value = make_resident_id("320213", date(1985, 3, 9), 37)
    assert ric.calc_check_digit(value) == value[17]
    assert ric.get_birth_date(value) == date(1985, 3, 9)
    assert resident_id_sex(value) == "男"
    assert resident_id_sex(make_resident_id("320213", date(1985, 3, 9), 38)) == "女"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "missing"),
        ("12345", "bad_format"),
        ("32021319850309003", "bad_format"),
        ("320213198503090370", "bad_checksum"),
        (make_resident_id("320213", date(2031, 1, 1), 1), "future_birth_date"),
        (make_resident_id("999999", date(1980, 1, 1), 1), "unknown_region"),
    ],
)
def test_resident_id_problems_are_classified(value, reason):
    if reason == "bad_checksum":
        good = make_resident_id("320213", date(1985, 3, 9), 37)
        value = good[:17] + ("0" if good[17] != "0" else "1")
    assert resident_id_problem(value, date(2026, 11, 20), REGIONS) == reason


def test_withdrawn_region_codes_stay_valid_for_life():
    # 320202 崇安区 was merged into 梁溪区 in 2015; people keep the code in their IDs.
    assert resident_id_problem(make_resident_id("320202", date(1980, 5, 17), 11), None, REGIONS) is None


def test_lowercase_x_check_character_is_accepted():
    for seq in range(1000):
        v = make_resident_id("320213", date(1990, 1, 1), seq)
        if v.endswith("X"):
            assert resident_id_problem(v.lower(), None, REGIONS) is None
            return
    pytest.fail("no X check character in 1000 sequences")


@pytest.mark.parametrize(("mobile", "ok"), [("13812345678", True), ("1381234567", False),
                                            ("12812345678", False), ("138123456789", False), (None, False)])
def test_mobile_numbers_follow_the_mainland_plan(mobile, ok):
    assert is_valid_mobile(mobile) is ok


def test_luhn_check_digit_round_trips():
    body = "622202123456789"
    assert is_luhn_valid(body + luhn_check_digit(body))
    assert not is_luhn_valid(body + str((int(luhn_check_digit(body)) + 1) % 10))
