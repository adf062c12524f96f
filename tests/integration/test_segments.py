"""Segments end to end on tiny: waves, holdouts, exports, activation and its consent re-check."""

from __future__ import annotations

import csv
import dataclasses
import json
import sqlite3
from datetime import datetime, timedelta

import duckdb
import pytest

from anonymizer.pseudonymise import install_shared_macros
from audiences.activate import activate, recheck
from audiences.definitions import load_all
from audiences.errors import AudienceError
from audiences.export import export
from audiences.segments import refresh, store_path
from pipelines.extract import extract
from pipelines.source import Source
from vault.session import open_session, session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


@pytest.fixture
def data(tiny_copy):
    return tiny_copy


def _members(settings, as_of=None):
    con = duckdb.connect(str(store_path(settings.data_dir)), read_only=True)
    try:
        return con.execute("SELECT audience, member_key, split_group FROM membership ORDER BY ALL").fetchall()
    finally:
        con.close()


def _refresh(settings, audiences=None):
    with session(settings) as (_key, con):
        return refresh(con, settings.data_dir, settings.layout.internal_path, audiences)


def _export(settings, seg, fmt="csv"):
    key, con = open_session(settings)
    try:
        return export(con, key, settings.data_dir, seg, fmt)
    finally:
        con.close()


def _read(path) -> list[tuple[str, str]]:
    """(member_key, split_group) of an export file, read as data."""
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return duckdb.connect().execute(f"SELECT member_key, split_group FROM {reader}('{path}') ORDER BY 1").fetchall()


def _vault_values(settings, sql, params=()):
    _key, con = open_session(settings)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_a_wave_puts_each_person_in_at_most_one_audience_and_holdouts_persist(data):
    segments = _refresh(data)
    first = _members(data)
    keys = [m for _, m, _ in first]
    assert len(keys) == len(set(keys)) > 0
    assert {s.audience.name for s in segments if s.members} == {a.name for a in load_all()}
    assert all(s.members == s.treatment + s.holdout for s in segments)
    _refresh(data)
    assert _members(data) == first  # same as-of: the wave is replaced, not added; holdouts are stable
    renewal = next(s for s in segments if s.audience.name == "renewal_due")
    assert 0 < renewal.holdout < renewal.members * 0.25  # 10 % share, hashed


def test_the_higher_priority_audience_wins_a_person(data):
    segments = {s.audience.name: s for s in _refresh(data)}
    assert segments["renewal_due"].won_elsewhere == 0  # top priority loses no one
    assert segments["cover_your_family"].won_elsewhere > 0


def test_an_export_is_pseudonymous_self_describing_and_a_re_export_is_a_new_release(data):
    seg = next(s for s in _refresh(data) if s.audience.name == "renewal_due")
    first = _export(data, seg, "csv")
    body = first.path.read_bytes()
    manifest = json.loads(first.path.with_name("members.csv.manifest.json").read_text())
    import hashlib

    assert manifest["sha256"] == hashlib.sha256(body).hexdigest()
    assert manifest["export_id"] == first.path.parent.name
    rows = list(csv.DictReader(first.path.open()))
    assert manifest["row_count"] == len(rows) == seg.members
    assert {r["split_group"] for r in rows} == {"treatment", "holdout"}
    assert all(r["member_key"].startswith("exp_") for r in rows)
    again = _export(data, seg, "csv")
    assert again.manifest["export_id"] != manifest["export_id"] and again.path.read_bytes() != body
    assert first.path.exists()  # the earlier export stays, and stays valid
    con = duckdb.connect(str(store_path(data.data_dir)), read_only=True)
    assert con.execute("SELECT count(*), max(times) FROM exports").fetchone() == (1, 2)
    con.close()
    assert export(None, None, data.data_dir, seg, "csv", dry_run=True).path is None
    _export(data, seg, "parquet")
    _key, con = open_session(data)
    try:
        from anonymizer.audit import audit, vocabulary_files

        found = audit(con, _key, data.data_dir, [], [data.data_dir / "exports"], vocabulary_files(data.project_dir))
    finally:
        con.close()
    assert found.scanned_files == 6 and found.hits == []  # two csv, one parquet and their manifests


def test_an_export_shares_no_token_with_the_warehouse_nor_with_another_export_of_the_same_segment(data):
    seg = next(s for s in _refresh(data) if s.audience.name == "renewal_due")
    one, two = _export(data, seg, "csv"), _export(data, seg, "parquet")
    one_keys, two_keys = {k for k, _ in _read(one.path)}, {k for k, _ in _read(two.path)}
    assert len(one_keys) == len(two_keys) == seg.members
    assert not one_keys & two_keys
    wh = duckdb.connect(str(data.layout.internal_path), read_only=True)
    try:
        strings = set()
        for schema, table, col in wh.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type = 'VARCHAR'").fetchall():
            strings |= {r[0] for r in wh.execute(f'SELECT DISTINCT "{col}" FROM "{schema}"."{table}"').fetchall()}
    finally:
        wh.close()
    assert len(strings) > 1000 and not (one_keys | two_keys) & strings
    # the same accounts, the same split groups: holdouts do not depend on the export
    mapped = [dict(_vault_values(data, "SELECT r.value, f.split_group FROM vault.ops.release_tokens r "
                                       "JOIN (SELECT unnest(?::VARCHAR[]) AS k, unnest(?::VARCHAR[]) AS split_group) f "
                                       "ON f.k = r.token", [[k for k, _ in rows], [g for _, g in rows]]))
              for rows in (_read(one.path), _read(two.path))]
    assert mapped[0] == mapped[1] and len(mapped[0]) == seg.members


def test_a_segment_below_its_minimum_size_is_not_exported(data):
    small = [dataclasses.replace(a, minimum_size=10**6) for a in load_all()]
    seg = _refresh(data, small)[0]
    with pytest.raises(AudienceError, match="minimum size"):
        export(None, None, data.data_dir, seg, "csv")


def test_the_vault_recheck_agrees_with_the_dbt_consent_base_at_the_same_date(data):
    wh = duckdb.connect(str(data.layout.internal_path), read_only=True)
    dbt = dict(wh.execute("SELECT account_key, suppression_reason FROM audience.fct_contactable_adults "
                          "WHERE channel = 'wechat'").fetchall())
    as_of = wh.execute("SELECT as_of_date FROM meta.build_info").fetchone()[0]
    wh.close()
    _key, con = open_session(data)
    try:
        install_shared_macros(con)
        con.execute("CREATE TEMP TABLE seg_members AS SELECT k AS member_key, 'treatment' AS split_group, "
                    "t.value AS account_value FROM (SELECT unnest(?::VARCHAR[]) AS k) "
                    "LEFT JOIN vault.tokens.account AS t ON t.token = k", [list(dbt)])
        recheck(con, "wechat", datetime.combine(as_of, datetime.max.time()))
        vault = dict(con.execute("SELECT member_key, reason FROM checked").fetchall())
    finally:
        con.close()
    differ = {k for k in dbt if dbt[k] != vault[k]}
    assert not differ, [(dbt[k], vault[k]) for k in list(differ)[:5]]


def test_activation_delivers_only_consenting_adults_in_treatment_and_honours_a_late_revocation(data):
    seg = next(s for s in _refresh(data) if s.audience.name == "renewal_due")
    exported = _export(data, seg, "csv")
    members = {m: g for a, m, g in _members(data) if a == "renewal_due"}
    # after the export, one treatment member unsubscribes in the operational source
    _key, con = open_session(data)
    try:
        openid_of = dict(con.execute("SELECT t.token, a.openid FROM vault.tokens.account t "
                                     "JOIN vault.raw.accounts a ON a.openid = t.value").fetchall())
        account_of = dict(con.execute("SELECT openid, account_id FROM vault.raw.accounts").fetchall())
    finally:
        con.close()
    leaver = next(k for k, g in sorted(members.items()) if g == "treatment")
    now = datetime.now()
    src = sqlite3.connect(data.data_dir / "source" / "ops.sqlite")
    ts = (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    src.execute("INSERT INTO consent_events VALUES (999999999, ?, NULL, 'marketing', 'wechat', 'promotion', "
                "'revoked', NULL, ?, ?)", [account_of[openid_of[leaver]], ts, ts])
    src.commit()
    src.close()

    key, con = open_session(data)
    try:
        extract(con, Source.parse(data.source))
        install_shared_macros(con)
        result = activate(con, key, data.data_dir, seg, now)
        log = con.execute("SELECT audience, delivered, by_user, export_id FROM vault.ops.reidentifications").fetchall()
    finally:
        con.close()
    delivered = [r["openid"] for r in csv.DictReader(result.path.open())]
    assert openid_of[leaver] not in delivered
    assert result.dropped_consent == {"unsubscribed": 1}
    holdout = {openid_of[k] for k, g in members.items() if g == "holdout"}
    assert delivered and not (set(delivered) & holdout)
    assert len(delivered) == result.delivered == sum(g == "treatment" for g in members.values()) - 1 - result.dropped_cap
    assert oct(result.path.stat().st_mode)[-3:] == "600"
    assert log == [("renewal_due", result.delivered, log[0][2], exported.manifest["export_id"])]
    assert result.export_id == exported.manifest["export_id"]


def test_activation_maps_export_and_activation_tokens_back_to_the_right_accounts(data):
    seg = next(s for s in _refresh(data) if s.audience.name == "renewal_due")
    exported = _export(data, seg, "parquet")
    key, con = open_session(data)
    try:
        install_shared_macros(con)
        result = activate(con, key, data.data_dir, seg, datetime.now())
        # the truth, from the vault: each member's OpenID through its warehouse token
        warehouse_token = dict(con.execute("SELECT value, token FROM vault.tokens.account").fetchall())
        via_export = dict(con.execute("SELECT token, value FROM vault.ops.release_tokens WHERE release_id = ?",
                                      [exported.manifest["export_id"]]).fetchall())
        via_activation = dict(con.execute("SELECT token, value FROM vault.ops.release_tokens WHERE release_id = ?",
                                          [result.activation_id]).fetchall())
    finally:
        con.close()
    membership = {(m, g) for a, m, g in _members(data) if a == "renewal_due"}
    assert {(warehouse_token[via_export[k]], g) for k, g in _read(exported.path)} == membership
    rows = list(csv.DictReader(result.path.open()))
    assert rows and all(r["recipient"].startswith("act_") and r["activation_id"] == result.activation_id for r in rows)
    assert all(via_activation[r["recipient"]] == r["openid"] for r in rows)  # wechat: the handle is the OpenID
    treatment = {via_export[k] for k, g in _read(exported.path) if g == "treatment"}
    assert {r["openid"] for r in rows} <= treatment
    released = {r["recipient"] for r in rows}
    assert not released & set(via_export) and not released & set(warehouse_token.values())


def test_an_activation_with_no_one_to_deliver_says_so_and_leaves_the_earlier_delivery_whole(data):
    seg = next(s for s in _refresh(data) if s.audience.name == "renewal_due")
    _export(data, seg)
    key, con = open_session(data)
    try:
        install_shared_macros(con)
        first = activate(con, key, data.data_dir, seg, datetime.now())
        before = first.path.read_bytes()
        logged = con.execute("SELECT count(*) FROM vault.ops.reidentifications").fetchone()[0]
        # long before anyone consented: every treatment member drops out, no one is left to deliver to
        with pytest.raises(AudienceError, match="no one to deliver to now.*nothing written"):
            activate(con, key, data.data_dir, seg, datetime(2001, 1, 1))
        assert con.execute("SELECT count(*) FROM vault.ops.reidentifications").fetchone()[0] == logged
        assert con.execute("SELECT count(*) FROM vault.ops.deliveries").fetchone()[0] == first.delivered
    finally:
        con.close()
    assert first.delivered and first.path.read_bytes() == before
    assert not list(first.path.parent.glob("*.partial"))


def test_after_a_key_rotation_segment_list_calls_the_old_wave_stale_and_activation_still_delivers(data, monkeypatch):
    import os
    import subprocess
    import sys

    from anonymizer.keys import key_path
    from tests.conftest import TEST_KEY

    seg = next(s for s in _refresh(data) if s.audience.name == "renewal_due")
    _export(data, seg)
    key_path(data.data_dir).parent.mkdir(parents=True, exist_ok=True)
    key_path(data.data_dir).write_text(TEST_KEY)  # rotation writes the new key where the key file lives
    key_path(data.data_dir).chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIHUI_")}
    env["COLUMNS"] = "250"

    def yihui(*args):
        return subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--data-dir", str(data.data_dir)],
                              capture_output=True, text=True, check=False, env=env, timeout=600)

    rotated = yihui("keys", "rotate")
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert "renewal_due" in rotated.stdout and "yihui segment refresh" in rotated.stdout
    listed = yihui("segment", "list")
    row = next(line for line in listed.stdout.splitlines() if "renewal_due" in line)
    assert "stale: key rotated since (v1 → v2)" in row and " fresh " not in row
    activated = yihui("segment", "activate", "renewal_due")  # the export made before maps back in the vault
    assert activated.returncode == 0, activated.stdout + activated.stderr
    assert "delivered" in activated.stdout
    yihui("segment", "refresh")
    row = next(line for line in yihui("segment", "list").stdout.splitlines() if "renewal_due" in line)
    assert "fresh (" in row and "stale" not in row
