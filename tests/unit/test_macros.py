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


def _broken_ids() -> list[str | None]:
    """Generated IDs, and the same IDs broken every way a form or an import breaks them."""
    import random

    from core.idnumbers import make_resident_id

    rnd = random.Random(7)
    out: list[str | None] = [None, "", "12345", "32021319850309003x", "320213000001010010", "32021319850229001X"]
    for _ in range(3000):
        good = make_resident_id("320213", date(rnd.randint(1920, 2030), rnd.randint(1, 12), rnd.randint(1, 28)),
                                rnd.randint(0, 999))
        i = rnd.randrange(18)
        out += [good, good.lower(), good[:i] + rnd.choice("0123456789X") + good[i + 1:],
                good[:10] + f"{rnd.randint(0, 19):02d}{rnd.randint(0, 39):02d}" + good[14:],
                good[:17], good + "1", good.replace(good[3], "Ａ", 1)]
    return out


def test_resident_id_problem_in_sql_agrees_with_python_stdnum_on_good_and_broken_ids(con):
    """The validate stage judges IDs with the SQL twin; the Python one (python-stdnum) is the reference."""
    from core.idnumbers import resident_id_problem

    values = _broken_ids()
    as_of = date(2026, 11, 20)
    rows = con.execute("SELECT v, resident_id_problem(v, ?::DATE) FROM unnest(?::VARCHAR[]) AS t(v)",
                       [as_of, values]).fetchall()
    disagree = [(v, sql, resident_id_problem(v, as_of)) for v, sql in rows if sql != resident_id_problem(v, as_of)]
    assert not disagree, disagree[:5]
    assert {sql for _, sql in rows} == {None, "missing", "bad_format", "bad_checksum", "bad_birth_date",
                                        "future_birth_date"}
