"""The SQL derivations applied inside the vault (anonymizer/sql/macros.sql)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from anonymizer.pseudonymise import install_shared_macros


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    install_shared_macros(c)
    return c


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 11, 20), date(2026, 11, 20), 18),  # the 18th birthday itself: an adult
        (date(2008, 11, 21), date(2026, 11, 20), 17),  # one day short: still a minor
        (date(2004, 2, 29), date(2026, 2, 28), 21),    # leap-day birth: birthday not reached on 28 Feb
        (date(2004, 2, 29), date(2026, 3, 1), 22),
        (date(1950, 12, 31), date(2026, 1, 1), 75),
    ],
)
def test_age_at_a_date_counts_whole_years_and_birthdays(con, born, on, age):
    assert con.execute("SELECT age_at(?::DATE, ?::DATE)", [born, on]).fetchone()[0] == age


def test_id_birth_date_and_sex_come_from_the_id(con):
    birth, sex = con.execute("SELECT id_birth_date('32021119850309037X'), id_sex('32021119850309037X')").fetchone()
    assert birth == date(1985, 3, 9) and sex == "男"
    assert con.execute("SELECT id_birth_date('320211198502300371')").fetchone()[0] is None
