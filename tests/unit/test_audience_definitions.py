"""Audience definitions: the shipped ones load; every mistake names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiences.definitions import DEFINITIONS_DIR, filterable_fields, load_all, parse
from audiences.errors import DefinitionError

GOOD = (DEFINITIONS_DIR / "cover_your_family.yml").read_text()


def _write(tmp_path: Path, text: str, name: str = "cover_your_family") -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text)
    return path


def test_the_shipped_audiences_load_with_distinct_priorities():
    names = [a.name for a in load_all()]
    assert names == ["renewal_due", "cover_your_family", "lapsed_winback", "first_year_welcome",
                     "group_booking_followup"]


def test_filters_compile_to_sql_over_the_audience_marts():
    a = parse(DEFINITIONS_DIR / "cover_your_family.yml")
    assert a.where() == "is_covered_this_year = TRUE AND family_members_not_covered >= 1"
    assert {"is_renewal_due", "age_band", "family_members_not_covered"} <= set(filterable_fields())


def test_the_version_changes_when_the_definition_changes(tmp_path):
    before = parse(_write(tmp_path, GOOD)).version
    after = parse(_write(tmp_path, GOOD.replace("at_least: 1", "at_least: 2"))).version
    assert before != after


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (("  - field: family_members_not_covered", "  - field: familly_members"), 11, "unknown field 'familly_members'"),
        (("channel: wechat", "channel: email"), 6, "unknown channel 'email'"),
        (("  - field: family_members_not_covered", "  - field: pre_existing_conditions"), 11, "PIPL Art. 28"),
        (("  - field: family_members_not_covered", "  - field: medical_insurance_type"), 11, "sensitive"),
        (("    at_least: 1", "    roughly: 1"), 11, "unknown operator 'roughly'"),
        (("priority: 40", "priority: 40\naudience_size: 9"), 14, "unknown setting 'audience_size'"),
        (("holdout_share: 0.10", "holdout_share: 1.5"), 14, "holdout_share"),
        (("frequency_cap: {messages: 2, days: 30}", "frequency_cap: 2"), 15, "frequency_cap"),
        (("name: cover_your_family", "name: other_name"), 1, "must match the file name"),
        (("    at_least: 1", '    at_least: "lots"'), 11, "'family_members_not_covered' is a whole number, not 'lots'"),
        (("    at_least: 1", "    at_least: true"), 11, "is a whole number, not True"),
    ],
)
def test_a_bad_definition_is_rejected_naming_file_and_line(tmp_path, edit, line, message):
    path = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(DefinitionError) as info:
        parse(path)
    assert str(info.value).startswith(f"{path}:{line}:"), str(info.value)
    assert message in str(info.value)


def test_two_audiences_with_one_priority_are_rejected(tmp_path):
    _write(tmp_path, GOOD)
    _write(tmp_path, GOOD.replace("name: cover_your_family", "name: cover_again"), "cover_again")
    with pytest.raises(DefinitionError, match="priority 40"):
        load_all(tmp_path)


@pytest.mark.parametrize(("field", "op", "value", "fits"), [
    ("is_renewal_due", "equals", "yes", False), ("is_renewal_due", "equals", "true", False),
    ("family_members_not_covered", "at_least", 1.5, False), ("age_band", "in", ["30-39", 40], False),
    ("age_band", "in", ["30-39", "40-49"], True), ("family_members_not_covered", "at_least", 2, True),
])
def test_a_filter_value_must_fit_the_columns_contracted_type(tmp_path, field, op, value, fits):
    import json

    body = GOOD.replace("  - field: family_members_not_covered\n    at_least: 1",
                        f"  - field: {field}\n    {op}: {json.dumps(value, ensure_ascii=False)}")
    assert body != GOOD
    path = _write(tmp_path, body)
    if fits:
        assert parse(path).filters[1].value == value
    else:
        with pytest.raises(DefinitionError, match=f"{path}:11: '{field}' is "):
            parse(path)
