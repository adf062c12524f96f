"""The vault against the real ``yihui`` process: damaged, lost after an erasure, backed up and restored.

A damaged vault must never be written (one line, exit 1, the file byte for byte
as it was, nothing published); a vault lost after an erasure must not be
rebuilt from the source until its ledger is restored or the loss is accepted.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from anonymizer.keys import parse_key
from pipelines import subjects
from tests.conftest import TEST_KEY
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def _yihui(data_dir: Path, *args: str, key: str = TEST_KEY) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIHUI_")}
    env.update(YIHUI_MASTER_KEY=key, DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false")
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--data-dir", str(data_dir)],
                          check=False, capture_output=True, text=True, env=env, timeout=600)


def _one_error(proc: subprocess.CompletedProcess) -> str:
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert proc.returncode == 1 and len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return errors[0]


def _digest(path: Path) -> tuple[int, str]:
    return path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()


def _truncate(vault: Path) -> None:
    with vault.open("r+b") as fh:
        fh.truncate(vault.stat().st_size // 2)


def _flip_a_byte_in_the_middle(vault: Path) -> None:
    with vault.open("r+b") as fh:
        fh.seek(vault.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x55]))


@pytest.mark.parametrize("damage", [_truncate, _flip_a_byte_in_the_middle], ids=["truncated", "flipped byte"])
def test_a_damaged_vault_is_refused_with_one_line_and_left_exactly_as_it_was(tiny_copy, damage):
    vault, warehouse = tiny_copy.data_dir / "vault.duckdb", tiny_copy.layout.warehouse_path
    damage(vault)
    before, published = _digest(vault), _digest(warehouse)
    line = _one_error(_yihui(tiny_copy.data_dir, "run"))
    assert f"the vault {vault} is damaged" in line and "yihui vault restore" in line, line
    assert _digest(vault) == before, "nothing may be written into a damaged vault"
    assert not vault.with_name("vault.duckdb.wal").exists()
    assert _digest(warehouse) == published, "nothing is published"
    assert "damaged" in _one_error(_yihui(tiny_copy.data_dir, "vault", "check"))


def test_a_wrong_key_is_still_a_wrong_key_not_damage(tiny_copy):
    vault = tiny_copy.data_dir / "vault.duckdb"
    before = _digest(vault)
    line = _one_error(_yihui(tiny_copy.data_dir, "run", key="ab" * 32))
    assert "is not the key this vault was written with" in line and "damaged" not in line, line
    assert _digest(vault) == before


def test_a_writing_session_keeps_the_vault_it_found_as_last_good(tiny_copy):
    vault, last_good = tiny_copy.data_dir / "vault.duckdb", tiny_copy.data_dir / "backups" / "last-good.duckdb"
    last_good.unlink(missing_ok=True)
    before = _digest(vault)
    proc = _yihui(tiny_copy.data_dir, "extract")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _digest(last_good) == before and oct(last_good.stat().st_mode)[-3:] == "600"


def test_backup_then_restore_of_a_damaged_vault_and_the_next_run_completes(tiny_copy):
    data, vault = tiny_copy.data_dir, tiny_copy.data_dir / "vault.duckdb"
    made = _yihui(data, "vault", "backup")
    assert made.returncode == 0, made.stderr[-2000:]
    backups = sorted((data / "backups").glob("vault-*.duckdb"))
    assert len(backups) == 1
    listed = _yihui(data, "vault", "list")
    assert backups[0].name in listed.stdout

    _truncate(vault)
    damaged = _digest(vault)
    restored = _yihui(data, "vault", "restore", backups[0].name)
    assert restored.returncode == 0, restored.stderr[-2000:]
    aside = list(data.glob("vault.duckdb.damaged-*"))
    assert len(aside) == 1 and _digest(aside[0]) == damaged, "the damaged vault is kept, renamed"
    again = _yihui(data, "run")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]

    key = parse_key(TEST_KEY, "test")
    for out in (made, listed, restored, again):
        assert TEST_KEY not in out.stdout + out.stderr and key.vault_key not in out.stdout + out.stderr
    for f in (data / "backups").iterdir():
        content = f.read_bytes()
        assert TEST_KEY.encode() not in content and key.vault_key.encode() not in content, f


def test_a_damaged_backup_is_not_restored_and_the_vault_is_not_touched(tiny_copy):
    data, vault = tiny_copy.data_dir, tiny_copy.data_dir / "vault.duckdb"
    assert _yihui(data, "vault", "backup").returncode == 0
    backup = next((data / "backups").glob("vault-*.duckdb"))
    _truncate(backup)
    before = _digest(vault)
    line = _one_error(_yihui(data, "vault", "restore", backup.name))
    assert "damaged too" in line and "not touched" in line, line
    assert _digest(vault) == before and not list(data.glob("vault.duckdb.*"))


def _erase_someone(settings) -> str:
    src = sqlite3.connect(settings.data_dir / "source" / "ops.sqlite")
    openid = src.execute(
        "SELECT a.openid FROM accounts a WHERE a.status = 'active' AND EXISTS (SELECT 1 FROM orders o "
        "WHERE o.account_id = a.account_id AND o.status = 'paid') ORDER BY a.account_id LIMIT 1").fetchone()[0]
    src.close()
    _key, con = open_session(settings)
    try:
        subjects.erase(con, subjects.find(con, openid=openid, scope="household"), "test-erasure")
    finally:
        con.close()
    return openid


def test_a_vault_lost_after_an_erasure_is_not_rebuilt_until_restored_and_the_person_stays_erased(tiny_copy):
    data, vault = tiny_copy.data_dir, tiny_copy.data_dir / "vault.duckdb"
    openid = _erase_someone(tiny_copy)
    assert (data / "ledger.state").exists()
    assert _yihui(data, "vault", "backup").returncode == 0
    vault.unlink()
    published = _digest(tiny_copy.layout.warehouse_path)

    line = _one_error(_yihui(data, "run"))
    assert "no erasure ledger" in line and "yihui vault restore" in line and "reset-ledger" in line, line
    assert not vault.exists(), "no vault is rebuilt from the source"
    assert _digest(tiny_copy.layout.warehouse_path) == published

    assert _yihui(data, "vault", "restore").returncode == 0
    again = _yihui(data, "run")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    wh = duckdb.connect(str(tiny_copy.layout.warehouse_path), read_only=True)
    withheld = wh.execute("SELECT withheld_rows FROM governance.fct_pipeline_runs WHERE is_latest_run").fetchone()[0]
    wh.close()
    assert withheld > 0, "the erased account is withheld again, not loaded back"
    _key, con = open_session(tiny_copy)
    try:
        with pytest.raises(subjects.SubjectError, match="no one"):
            subjects.find(con, openid=openid)
    finally:
        con.close()


def test_an_accepted_ledger_loss_is_explicit_and_recorded(tiny_copy):
    import json

    data, vault = tiny_copy.data_dir, tiny_copy.data_dir / "vault.duckdb"
    _erase_someone(tiny_copy)
    vault.unlink()
    line = _one_error(_yihui(data, "vault", "reset-ledger"))
    assert "--yes" in line
    assert "no erasure ledger" in _one_error(_yihui(data, "extract"))

    reset = _yihui(data, "vault", "reset-ledger", "--yes")
    assert reset.returncode == 0, reset.stderr
    state = json.loads((data / "ledger.state").read_text())
    assert len(state["resets"]) == 1 and state["resets"][0]["entries_recorded"] > 0
    assert state["resets"][0]["entries_in_vault"] == 0
    proc = _yihui(data, "extract")  # now a vault may be rebuilt from the source
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert vault.exists()
