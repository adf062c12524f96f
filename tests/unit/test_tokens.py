import duckdb
import pytest

from anonymizer.domains import ACTIVATION, BY_NAME, DOMAINS, EXPORT
from anonymizer.errors import AnonymizerError
from anonymizer.keys import parse_key
from anonymizer.tokens import install_macros, install_release_macro, release_token, token

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


@pytest.mark.parametrize("domain", [EXPORT, ACTIVATION])
def test_release_tokens_in_sql_match_the_python_reference(domain):
    c = duckdb.connect()
    install_release_macro(c, KEY, domain, "20261124T090000Z-abc")
    assert c.execute("SELECT tok_release('oAbc-_123')").fetchone()[0] == \
        release_token(KEY, domain, "20261124T090000Z-abc", "oAbc-_123")


def test_each_release_has_tokens_of_its_own_unrelated_to_warehouse_tokens():
    value = "oAbc-_123"
    one, two = (release_token(KEY, EXPORT, rid, value) for rid in ("export-1", "export-2"))
    assert one.startswith("exp_") and len(one) == len(token(KEY, BY_NAME["account"], value))
    assert one != two and one == release_token(KEY, EXPORT, "export-1", value)
    assert release_token(KEY, ACTIVATION, "export-1", value)[4:] != one[4:]  # export ≠ activation domain
    assert one[4:] not in {token(KEY, d, value)[len(d.prefix) + 1:] for d in DOMAINS}
    assert one != release_token(OTHER, EXPORT, "export-1", value)
    assert {EXPORT.prefix, ACTIVATION.prefix}.isdisjoint(d.prefix for d in DOMAINS)
    with pytest.raises(AnonymizerError):
        release_token(KEY, BY_NAME["account"], "export-1", value)
