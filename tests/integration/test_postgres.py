"""The server-source path: a real PostgreSQL 15 on loopback gives the same marts as SQLite."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from pipelines.checksum import warehouse_checksums
from tests.conftest import TEST_KEY, make_settings

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("postgres")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *cmd], check=True, capture_output=True)


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL 15 server as the postgres user, on loopback, stopped afterwards."""
    if not (PG_BIN / "pg_ctl").exists():
        pytest.fail("PostgreSQL 15 binaries are missing from /usr/lib/postgresql/15/bin")
    root = Path(tempfile.mkdtemp(prefix="yihui-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = _free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", f"{root}/data", "-A", "trust", "-U", "postgres")
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", f"{root}/data", "-o",
                 f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "-l", f"{root}/log", "-w", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", f"{root}/data", "-m", "fast", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_source_gives_the_same_marts_as_sqlite(postgres_url, tmp_path, monkeypatch):
    from pipelines.generate import generate
    from pipelines.run import run
    from pipelines.source import Source

    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    results = {}
    for name, url in (("sqlite", None), ("postgres", postgres_url)):
        settings = make_settings(tmp_path / name, url)
        generate(Source.parse(settings.source), "tiny", 11)
        summary = run(settings, log=lambda m: None)
        # clean data: an empty quarantine is the right answer
        assert summary.marts and all(n > 0 for m, n in summary.marts.items() if m != "governance.fct_quarantine")
        results[name] = {**warehouse_checksums(settings.layout.warehouse_path, ("profile",)),
                         **warehouse_checksums(settings.layout.internal_path, ("audience",))}
    assert results["postgres"] == results["sqlite"]
    assert len(results["sqlite"]) >= 3


def test_unreachable_server_is_a_clear_error(tmp_path, monkeypatch):
    from pipelines.errors import SourceUnavailable
    from pipelines.source import Source

    url = f"postgresql://postgres:secret@127.0.0.1:{_free_port()}/postgres"
    with pytest.raises(SourceUnavailable) as info, Source.parse(url).reader(duckdb.connect()):
        pass
    assert "secret" not in str(info.value) and "***" in str(info.value)
