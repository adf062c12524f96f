"""``ledger.state``: the evidence of erasures kept outside the vault holds no personal data and no key."""

from __future__ import annotations

import json

import duckdb
import pytest

from vault import ledger_state, schema
from vault.ledger_state import LedgerMissing, LedgerState

PEOPLE = [("openid", "oK3xFq9Zr2LmN8pQ1sT4uV7wX0yA"), ("mobile", "13912345678"),
          ("person", "居民身份证|32021119850309037X")]


def _vault(tmp_path):
    """An in-memory database attached as ``vault`` with the real ledger tables, and one erasure in them."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'vault.duckdb'}' AS vault")
    schema.create(con)
    ledger_state.install_hash(con)
    for kind, value in PEOPLE:
        con.execute("INSERT INTO vault.ops.erasure_ledger SELECT ?, ledger_hash(?), 'req-1', now()", [kind, value])
    con.execute("INSERT INTO vault.ops.erased_keys SELECT 'accounts', ledger_hash('accounts:1001'), 'req-1'")
    return con


def test_the_marker_holds_counts_and_one_digest_and_nothing_about_anyone(tmp_path):
    con = _vault(tmp_path)
    ledger_state.save_from(con)
    text = (tmp_path / "ledger.state").read_text()
    doc = json.loads(text)
    assert set(doc) == {"format", "erasure_ledger", "erased_keys", "anonymised", "digest", "updated_at", "resets"}
    assert (doc["erasure_ledger"], doc["erased_keys"], doc["anonymised"]) == (3, 1, 0)
    secrets = [v for _, v in PEOPLE] + [v.split("|")[1] for _, v in PEOPLE if "|" in v]
    secrets += [r[0] for r in con.execute("SELECT subject_hash FROM vault.ops.erasure_ledger "
                                          "UNION ALL SELECT key_hash FROM vault.ops.erased_keys").fetchall()]
    ledger_key = bytes(con.execute("SELECT secret FROM vault.ops.ledger_key").fetchone()[0])
    secrets += [ledger_key.hex(), ledger_key.hex().upper()]
    assert not [s for s in secrets if s in text], "no identifier, keyed hash or ledger key in the marker"
    assert oct((tmp_path / "ledger.state").stat().st_mode)[-3:] == "600"


def test_a_ledger_behind_the_marker_is_refused_and_a_grown_one_is_recorded(tmp_path):
    con = _vault(tmp_path)
    ledger_state.save_from(con)
    full = ledger_state.read(con)
    vault_file = tmp_path / "vault.duckdb"
    with pytest.raises(LedgerMissing, match="has no erasure ledger"):
        ledger_state.check(tmp_path, vault_file, LedgerState())
    with pytest.raises(LedgerMissing, match="holds an erasure ledger of 3 entries"):
        ledger_state.check(tmp_path, vault_file, LedgerState(3, 0, 0, "x"))
    with pytest.raises(LedgerMissing):  # as many entries, but other ones: a different ledger
        ledger_state.check(tmp_path, vault_file, LedgerState(*full.counts, digest="0" * 64))
    ledger_state.check(tmp_path, vault_file, full)
    con.execute("INSERT INTO vault.ops.erasure_ledger SELECT 'openid', ledger_hash('another'), 'req-2', now()")
    grown = ledger_state.read(con)
    ledger_state.check(tmp_path, vault_file, grown)
    assert ledger_state.recorded(ledger_state.load(tmp_path)) == grown


def test_no_marker_and_no_erasure_is_a_new_data_dir_but_a_release_with_withheld_rows_is_evidence(tmp_path):
    vault_file = tmp_path / "vault.duckdb"
    ledger_state.check(tmp_path, vault_file, LedgerState())
    assert not (tmp_path / "ledger.state").exists(), "nothing recorded before the first erasure"
    wh = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    wh.execute("CREATE SCHEMA governance")
    wh.execute("CREATE TABLE governance.fct_pipeline_runs AS SELECT 'r1' AS run_id, 14 AS withheld_rows")
    wh.close()
    with pytest.raises(LedgerMissing, match="withheld 14 rows"):
        ledger_state.check(tmp_path, vault_file, LedgerState())
    before, after = ledger_state.reset(tmp_path, LedgerState())
    assert before.entries == after.entries == 0
    ledger_state.check(tmp_path, vault_file, LedgerState())  # the loss accepted, and recorded
    assert len(json.loads((tmp_path / "ledger.state").read_text())["resets"]) == 1
