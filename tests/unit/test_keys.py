import os
import stat

import pytest

from anonymizer.errors import KeyInvalid, KeyMissing
from anonymizer.keys import MasterKey, hkdf_sha256, init_key, load_key, parse_key


def test_hkdf_matches_rfc5869_test_case_1():
    okm = hkdf_sha256(bytes([0x0B] * 22), bytes(range(0xF0, 0xFA)), 42, salt=bytes(range(0x0D)))
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                         "34007208d5b887185865")


def test_each_domain_and_the_vault_get_distinct_keys():
    key = parse_key("11" * 32, "test")
    derived = {key.token_key(d) for d in ("person", "mobile", "account")} | {bytes.fromhex(key.vault_key)}
    assert len(derived) == 4


def test_rotating_the_version_changes_every_derived_key():
    a = MasterKey(b"\x01" * 32, "t", version=1)
    b = MasterKey(b"\x01" * 32, "t", version=2)
    assert a.token_key("person") != b.token_key("person")
    assert a.vault_key != b.vault_key


def test_key_never_shows_in_repr():
    key = parse_key("ab" * 32, "test")
    assert "ab" * 8 not in repr(key) and "ab" * 8 not in str(key)


def test_init_creates_a_private_key_file_once(tmp_path):
    path, created = init_key(tmp_path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert init_key(tmp_path) == (path, False)
    assert path.read_text() == first
    assert load_key(tmp_path).origin == str(path)


def test_environment_key_wins_over_the_file(tmp_path, monkeypatch):
    init_key(tmp_path)
    monkeypatch.setenv("YIHUI_MASTER_KEY", "22" * 32)
    assert load_key(tmp_path).secret == bytes.fromhex("22" * 32)


def test_missing_key_says_how_to_make_one(tmp_path):
    with pytest.raises(KeyMissing, match="yihui keys init"):
        load_key(tmp_path)


def test_world_readable_key_file_is_refused(tmp_path):
    path, _ = init_key(tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyInvalid, match="chmod 600"):
        load_key(tmp_path)


@pytest.mark.parametrize("text", ["zz" * 32, "ab" * 16, "ab" * 33])
def test_malformed_keys_are_refused_without_echoing_them(text, monkeypatch, tmp_path):
    monkeypatch.setenv("YIHUI_MASTER_KEY", text)
    with pytest.raises(KeyInvalid) as info:
        load_key(tmp_path)
    assert text not in str(info.value)


def test_a_rotated_key_carries_its_version_through_a_round_trip():
    from anonymizer.keys import format_key, new_key

    key = new_key(3, "t")
    text = format_key(key)
    assert text.startswith("v3:")
    again = parse_key(text, "t")
    assert (again.version, again.secret) == (3, key.secret)
    assert parse_key(key.secret.hex(), "t").version == 1


@pytest.mark.parametrize("prefix", ["v0:", "x2:", "v:", "2:"])
def test_a_malformed_version_prefix_is_refused(prefix):
    with pytest.raises(KeyInvalid, match="version"):
        parse_key(prefix + "ab" * 32, "t")
