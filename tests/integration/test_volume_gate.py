"""A landing table half missing trips the volume gate, and the last release stays published."""

from __future__ import annotations

import pytest

from pipelines.errors import BuildFailed
from pipelines.run import run
from pipelines.volume import VolumeCheckFailed, check
from vault.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


@pytest.fixture
def data(tiny_copy):
    return tiny_copy


def test_an_unchanged_source_passes_the_gate(data):
    run(data, log=lambda m: None)
    assert check(data.layout.warehouse_path, data.layout.warehouse_path) == []


def test_a_source_table_half_lost_upstream_trips_the_volume_gate(data):
    """Rows reconcile (the source really has half the accounts now): only the volume gate can see it."""
    import sqlite3

    published = data.layout.warehouse_path.stat().st_mtime_ns
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    src.execute("DELETE FROM accounts WHERE account_id % 2 = 0")
    src.commit()
    src.close()
    with pytest.raises(VolumeCheckFailed, match="profile.dim_customers: .* rows") as info:
        run(data, log=lambda m: None)
    assert "nothing was published" in str(info.value)
    assert data.layout.warehouse_path.stat().st_mtime_ns == published


def test_half_a_landing_table_missing_in_the_vault_fails_the_reconciliation(data):
    published = data.layout.warehouse_path.stat().st_mtime_ns
    _key, con = open_session(data)
    try:
        con.execute("DELETE FROM vault.raw.accounts WHERE account_id % 2 = 0")
    finally:
        con.close()
    with pytest.raises(BuildFailed, match="reconciles"):
        run(data, log=lambda m: None)
    assert data.layout.warehouse_path.stat().st_mtime_ns == published
