"""`yihui audit leaks` reports zero on a real run, and finds every planted leak without echoing it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import duckdb
import pytest

from anonymizer.keys import parse_key
from tests.conftest import TEST_KEY

pytestmark = [pytest.mark.slow, pytest.mark.privacy, pytest.mark.xdist_group("tiny")]


def _audit(data_dir, monkeypatch):
    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "audit", "leaks", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, check=False)


def test_a_published_tiny_run_has_no_leak(tiny_run, monkeypatch):
    settings, _, _ = tiny_run
    proc = _audit(settings.data_dir, monkeypatch)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no raw identifier and no key material found" in proc.stdout
    assert "id_number" in proc.stdout and "name" in proc.stdout  # it really looked


def test_planted_identifiers_and_keys_are_found_by_place_and_never_printed(tiny_run, tmp_path, monkeypatch):
    settings, _, _ = tiny_run
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("gx", "tmp"))
    src = sqlite3.connect(data / "source" / "ops.sqlite")
    mobile, openid = src.execute("SELECT mobile, openid FROM accounts WHERE mobile IS NOT NULL LIMIT 1").fetchone()
    name, id_number = src.execute(
        "SELECT name, id_number FROM insured_persons WHERE id_type = '居民身份证' AND length(name) = 3 LIMIT 1"
    ).fetchone()
    src.close()
    spaced = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    con.execute("CREATE TABLE main.analyst_scratch (note VARCHAR, who VARCHAR)")
    con.execute("INSERT INTO main.analyst_scratch VALUES (?, ?)", [f"客户来电 +86 {spaced} 已回访", f"{name}先生"])
    con.close()
    exports = data / "exports"
    exports.mkdir()
    (exports / "segment.csv").write_text(f"member,handle\nx,{openid}\ny,{id_number.lower()}\n")
    (data / "dbt" / "logs" / "dbt.log").write_text(f"debug: key={parse_key(TEST_KEY, 't').vault_key}\n")

    proc = _audit(data, monkeypatch)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 1, report
    for place, kind in [("main.analyst_scratch.note", "mobile"), ("main.analyst_scratch.who", "name"),
                        ("exports/segment.csv", "openid"), ("exports/segment.csv", "id_number"),
                        ("dbt/logs/dbt.log", "key")]:
        assert any(place in line and kind in line for line in report.splitlines()), (place, kind, report)
    for value in (mobile, mobile[-4:] + " ", openid, id_number, name, TEST_KEY):
        assert value not in report


def test_a_value_corrected_away_is_still_found_by_the_audit(tiny_run, tmp_path, monkeypatch):
    """The vault no longer holds the old mobile after a correction; it keeps a keyed hash of it."""
    from pipelines.run import run
    from tests.conftest import make_settings

    settings, _, _ = tiny_run
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("gx", "tmp"))
    src = sqlite3.connect(data / "source" / "ops.sqlite")
    account_id, old = src.execute("SELECT account_id, mobile FROM accounts WHERE status = 'active' AND mobile "
                                  "IS NOT NULL ORDER BY account_id LIMIT 1").fetchone()
    src.execute("UPDATE accounts SET mobile = '13900001111', updated_at = '2026-11-24 09:00:00' "
                "WHERE account_id = ?", [account_id])
    src.commit()
    src.close()
    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    run(make_settings(data), log=lambda m: None)
    exports = data / "exports"
    exports.mkdir(exist_ok=True)
    (exports / "old-list.csv").write_text(f"who,phone\nx,{old}\n")

    proc = _audit(data, monkeypatch)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 1, report
    assert any("exports/old-list.csv" in line and "mobile (superseded)" in line for line in report.splitlines()), report
    assert old not in report
