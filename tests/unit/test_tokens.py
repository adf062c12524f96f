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


# -- the native batched HMAC (anonymizer/_hmac.c) must equal the SQL reference ---------------------

HOSTILE_VALUES = ["", "a", "13812345678", "居民身份证|32021319850309037X", "张三 ", "x" * 55, "y" * 56, "z" * 64,
                  "长" * 200, "tab\there", "nul\0inside", "😀 emoji", "'; DROP TABLE t; --"]


def _sql_tokens(con, domain, values: list[str]) -> list[str]:
    import pyarrow as pa

    con.register("_vals", pa.table({"i": range(len(values)), "v": values}))
    return [t for (t,) in con.execute(f"SELECT tok_{domain.name}(v) FROM _vals ORDER BY i").fetchall()]


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_native_tokens_equal_the_sql_macro_on_every_domain_and_awkward_values(con, domain):
    import pyarrow as pa

    from anonymizer.tokens import column_tokens

    native = column_tokens(KEY, domain, pa.array(HOSTILE_VALUES)).to_pylist()
    assert native == _sql_tokens(con, domain, HOSTILE_VALUES)
    assert native == [token(KEY, domain, v) for v in HOSTILE_VALUES]


def test_native_tokens_keep_order_across_threads_chunks_slices_and_large_strings(con):
    import pyarrow as pa

    from anonymizer.tokens import column_tokens

    values = [f"{13800000000 + i * 7919}" for i in range(40_000)]  # enough rows for every thread to start
    expected = _sql_tokens(con, BY_NAME["mobile"], values)
    mobile = BY_NAME["mobile"]
    assert column_tokens(KEY, mobile, pa.array(values), threads=4).to_pylist() == expected
    assert column_tokens(KEY, mobile, pa.array(values), threads=1).to_pylist() == expected
    chunked = pa.chunked_array([pa.array(values[:12_345]), pa.array(values[12_345:])])
    assert column_tokens(KEY, mobile, chunked, threads=3).to_pylist() == expected
    sliced = pa.array(values, pa.large_string()).slice(1_000, 20_000)
    assert column_tokens(KEY, mobile, sliced, threads=2).to_pylist() == expected[1_000:21_000]
    assert column_tokens(KEY, mobile, pa.array([], pa.string())).to_pylist() == []


def test_native_tokens_refuse_nulls_and_non_strings_with_no_value_in_the_message():
    import pyarrow as pa

    from anonymizer.tokens import column_tokens

    with pytest.raises(AnonymizerError, match="1 null values") as err:
        column_tokens(KEY, BY_NAME["mobile"], pa.array(["13812345678", None]))
    assert "138" not in str(err.value)
    with pytest.raises(AnonymizerError, match="int64"):
        column_tokens(KEY, BY_NAME["mobile"], pa.array([13812345678]))


def test_the_native_hmac_checks_buffers_before_reading_them():
    import array

    from anonymizer import _hmac

    empty_twice = array.array("i", [0, 0, 0]).tobytes()
    two = _hmac.tokens(b"k", empty_twice, b"", 2, 0, False, b"p_", 4, 1)
    assert len(two) == 2 * 6 and two[:6] == two[6:] and two.startswith(b"p_")
    with pytest.raises(ValueError, match="outside"):
        _hmac.tokens(b"k", array.array("i", [0, 5]).tobytes(), b"abc", 1, 0, False, b"p_", 4, 1)
    with pytest.raises(ValueError, match="decrease"):
        _hmac.tokens(b"k", array.array("i", [0, 3, 1]).tobytes(), b"abc", 2, 0, False, b"p_", 4, 1)
    with pytest.raises(ValueError, match="shorter"):
        _hmac.tokens(b"k", array.array("i", [0, 3]).tobytes(), b"abc", 2, 0, False, b"p_", 4, 1)
    with pytest.raises(ValueError, match="block"):
        _hmac.tokens(b"k" * 65, array.array("i", [0, 3]).tobytes(), b"abc", 1, 0, False, b"p_", 4, 1)
