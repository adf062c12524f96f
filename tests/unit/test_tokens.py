import duckdb
import pytest

from anonymizer.domains import BY_NAME
from anonymizer.keys import parse_key
from anonymizer.tokens import install_macros, token

KEY = parse_key("33" * 32, "test")
OTHER = parse_key("44" * 32, "test")


@pytest.fixture
def con():
    c = duckdb.connect()
    install_macros(c, KEY)
    return c


@pytest.mark.parametrize("value", ["13812345678", "居民身份证|32021319850309037X", "oAbc-_123", "张三"])
def test_sql_hmac_matches_the_python_reference(con, value):
    assert con.execute("SELECT tok_person(?)", [value]).fetchone()[0] == token(KEY, BY_NAME["person"], value)


def test_tokens_are_stable_and_key_dependent():
    d = BY_NAME["mobile"]
    assert token(KEY, d, "13812345678") == token(KEY, d, "13812345678")
    assert token(KEY, d, "13812345678") != token(OTHER, d, "13812345678")


def test_equal_values_in_different_domains_do_not_join(con):
    a, b = con.execute("SELECT tok_mobile('13812345678'), tok_account('13812345678')").fetchone()
    assert a[4:] != b[4:]


def test_token_shape_is_prefix_and_128_bits(con):
    t = con.execute("SELECT tok_account('x')").fetchone()[0]
    assert t.startswith("acc_") and len(t) == 4 + 32 and int(t[4:], 16) >= 0


def test_mobile_normalisation_unifies_typed_forms(con):
    forms = ["13812345678", "138 1234 5678", "138-1234-5678"]
    assert len({con.execute("SELECT norm_mobile(?)", [f]).fetchone()[0] for f in forms}) == 1
