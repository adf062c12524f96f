"""Token values are defined once, in ``anonymizer.domains``: SQL macros and Python read the same text."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from anonymizer.domains import BY_NAME, DOMAINS, install_value_macros

PROJECT = Path(__file__).resolve().parents[2]
CODE = ("core", "vault", "pipelines", "anonymizer", "audiences", "models", "macros", "bench")


@pytest.fixture
def con():
    c = duckdb.connect()
    install_value_macros(c)
    return c


@pytest.mark.parametrize(("domain", "parts"), [
    ("person", ("居民身份证", "32021119850309037x")),
    ("person", ("护照", "e12345678")),
    ("mobile", ("+86 138-1234-5678",)),
    ("contact", ("张伟", "0086 13812345678")),
    ("company", (None, " 无锡某某科技有限公司 ")),
    ("record", ("service_records", "42")),
    ("email", (" Zhang.Wei@163.COM ",)),
])
def test_python_gets_the_value_the_sql_macro_gives(con, domain, parts):
    d = BY_NAME[domain]
    sql = con.execute(f"SELECT {d.norm(*('?' for _ in parts))}", list(parts)).fetchone()[0]
    assert d.value_of(*parts) == sql


def test_the_person_value_is_id_type_and_upper_case_number():
    assert BY_NAME["person"].value_of("居民身份证", "32021119850309037x") == "居民身份证|32021119850309037X"


def test_every_typed_form_of_a_mobile_is_one_value():
    forms = ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "0086 138 1234 5678", "+86-13812345678"]
    assert {BY_NAME["mobile"].value_of(f) for f in forms} == {"13812345678"}
    assert BY_NAME["contact"].value_of("张伟", "+86 138 1234 5678") == "张伟|13812345678"


def test_every_source_calls_its_macro_with_as_many_parts_as_it_takes(con):
    for d in DOMAINS:
        for table, parts in d.sources:
            assert len(re.split(r",\s*(?![^(]*\))", parts)) == len(d.args), (d.name, table)


def test_no_module_spells_a_token_value_of_its_own():
    """The person value (ID type | ID number) and the mobile's digits live in domains.py only."""
    spelled = re.compile(r"id_type \|\| '\|'|regexp_replace\([a-z_.]*(mobile|phone)")
    found = [str(p.relative_to(PROJECT)) for folder in CODE for p in (PROJECT / folder).rglob("*")
             if p.suffix in (".py", ".sql") and p.name != "domains.py" and spelled.search(p.read_text(encoding="utf-8"))]
    assert found == []
