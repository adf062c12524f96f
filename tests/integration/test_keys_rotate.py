"""Key rotation: every token re-issued, the old key locked out, crashes repaired."""

from __future__ import annotations

import os

import duckdb
import pytest

from anonymizer.errors import KeyInvalid
from anonymizer.keys import init_key, key_path, load_key
from pipelines.run import rebuild, run
from tests.conftest import make_settings
from vault import rotate as rotate_mod
from vault.rotate import RotationError, rotate
from vault.session import open_vault, recover


def _vault_with_a_token(settings):
    init_key(settings.data_dir)
    key = load_key(settings.data_dir)
    con = open_vault(settings.data_dir, key)
    con.execute("CREATE TABLE vault.raw.marker AS SELECT 42 AS answer")
    con.close()
    return key


def _answer(settings) -> int:
    con = open_vault(settings.data_dir, load_key(settings.data_dir), read_only=True)
    try:
        return con.execute("SELECT answer FROM vault.raw.marker").fetchone()[0]
    finally:
        con.close()


def test_rotation_reencrypts_the_vault_and_locks_out_the_old_key(tmp_path):
    settings = make_settings(tmp_path / "data")
    old = _vault_with_a_token(settings)
    result = rotate(settings)
    new = load_key(settings.data_dir)
    assert (result.old_version, result.new_version, new.version) == (1, 2, 2)
    assert key_path(settings.data_dir).read_text().startswith("v2:")
    assert _answer(settings) == 42
    with pytest.raises(KeyInvalid):
        open_vault(settings.data_dir, old)
    assert not list(settings.data_dir.rglob("*.next"))


def test_rotation_refuses_a_key_injected_by_environment(tmp_path, monkeypatch):
    settings = make_settings(tmp_path / "data")
    _vault_with_a_token(settings)
    monkeypatch.setenv("YIHUI_MASTER_KEY", "5e" * 32)
    with pytest.raises(RotationError, match="YIHUI_MASTER_KEY"):
        rotate(settings)


@pytest.mark.parametrize(("failing_call", "expected_version", "message"),
                         [(1, 1, "rolled back"), (2, 2, "completed")])
def test_a_crash_during_rotation_is_repaired_on_the_next_command(tmp_path, monkeypatch, failing_call,
                                                                  expected_version, message):
    """Call 1 is the vault rename (the commit point), call 2 the key rename."""
    settings = make_settings(tmp_path / "data")
    _vault_with_a_token(settings)
    real_replace, calls = os.replace, []

    def crash_on(src, dst):
        calls.append(src)
        if len(calls) == failing_call:
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)

    monkeypatch.setattr(rotate_mod.os, "replace", crash_on)
    with pytest.raises(KeyboardInterrupt):
        rotate(settings)
    monkeypatch.setattr(rotate_mod.os, "replace", real_replace)
    assert message in recover(settings.data_dir)
    assert load_key(settings.data_dir).version == expected_version
    assert _answer(settings) == 42
    assert not list(settings.data_dir.rglob("*.next"))


def _tokens(warehouse) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT person_key FROM intermediate.int_customer_profile UNION ALL "
                           "SELECT account_key FROM pseudo.accounts").fetchall()
        return {r[0] for r in rows}
    finally:
        con.close()


def _holdout_split(settings) -> dict[tuple[str, str], str]:
    """(audience, OpenID) -> split group of the segments refreshed now, mapped back through the vault."""
    from audiences.segments import refresh, store_path
    from vault.session import session

    with session(settings) as (_key, con):
        refresh(con, settings.data_dir, settings.layout.internal_path)
    con = open_vault(settings.data_dir, load_key(settings.data_dir), read_only=True)
    try:
        con.execute(f"ATTACH '{store_path(settings.data_dir)}' AS seg (READ_ONLY)")
        rows = con.execute("SELECT m.audience, t.value, m.split_group FROM seg.membership m "
                           "JOIN vault.tokens.account t ON t.token = m.member_key").fetchall()
    finally:
        con.close()
    return {(a, v): g for a, v, g in rows}


@pytest.mark.slow
def test_rotating_reissues_every_warehouse_token_keeps_the_marts_and_the_holdouts(tmp_path):
    from pipelines.generate import generate
    from pipelines.source import Source

    settings = make_settings(tmp_path / "data")
    init_key(settings.data_dir)
    generate(Source.parse(settings.source), "tiny", 7)
    before = run(settings, log=lambda m: None)
    old_tokens = _tokens(settings.layout.internal_path)
    split_before = _holdout_split(settings)
    rotate(settings)
    after = rebuild(settings, log=lambda m: None, status="rotated")
    split_after = _holdout_split(settings)
    assert sum(g == "holdout" for g in split_before.values()) > 0
    assert split_after == split_before  # the same accounts in the same groups, though every token changed
    run_log = "governance.fct_pipeline_runs"
    assert {k: v for k, v in after.marts.items() if k != run_log} == {
        k: v for k, v in before.marts.items() if k != run_log}
    assert after.marts[run_log] == before.marts[run_log] + 1
    assert old_tokens and not (old_tokens & _tokens(settings.layout.internal_path))
    con = duckdb.connect(str(settings.layout.internal_path), read_only=True)
    runs = con.execute("SELECT key_version, status FROM meta.runs ORDER BY started_at, run_id").fetchall()
    con.close()
    assert runs == [(1, "built"), (2, "rotated")]
    again = run(settings, log=lambda m: None)
    assert sum(again.tokens_added.values()) == 0
