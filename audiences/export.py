"""Exports: pseudonymous member tokens of one segment, with a manifest and an audit row.

An export is a file under ``<data>/exports/<audience>/<as-of>/<export id>/``
holding member tokens, the split group, the audience and its definition
version: nothing a person could be found by.  The manifest says how to check
it (export id, row count, sha256, definition hash, git revision, as-of).

Every export is a release of its own: a new random export id, and member
tokens (``exp_…``) keyed by it (``anonymizer.tokens.release_key``), so an
export cannot be joined to the warehouse, nor to another export, even of the
same segment on the same day.  Exporting therefore needs the master key; the
vault keeps the export and the tokens it issued (``ops.releases``,
``ops.release_tokens``), which is how activation and subject requests map an
export back to people.  Exporting the same segment for the same as-of again
writes a new export (new id, new tokens, new bytes) and bumps the audit row's
count instead of adding a second one; the earlier export stays valid.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import secrets
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from anonymizer import tokens
from anonymizer.domains import EXPORT
from anonymizer.keys import MasterKey
from audiences.definitions import Audience
from audiences.errors import AudienceError
from audiences.segments import Segment, connect_store, store_path
from core import csv_cells
from core.layout import PROJECT, Layout

FORMATS = ("csv", "parquet")


@dataclass
class ExportResult:
    segment: Segment
    path: Path | None
    manifest: dict


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT.root, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def new_release_id() -> str:
    """A random id per export or activation (time first, so ids sort by when)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(6)


def export_dir(data_dir: Path, audience: Audience, segment: Segment, export_id: str) -> Path:
    return Layout(data_dir).exports_dir / audience.name / segment.as_of.isoformat() / export_id


def export(con: duckdb.DuckDBPyConnection | None, key: MasterKey | None, data_dir: Path, segment: Segment,
           fmt: str = "csv", dry_run: bool = False) -> ExportResult:
    """``con`` has the vault attached and ``key`` opened it (both may be None for a dry run)."""
    audience = segment.audience
    if fmt not in FORMATS:
        raise AudienceError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if segment.as_of is None:
        raise AudienceError(f"{audience.name} has never been refreshed: run `yihui segment refresh`")
    if not segment.exportable:
        raise AudienceError(
            f"{audience.name} has {segment.members} members, fewer than its minimum size "
            f"{audience.minimum_size}: not exported, so no one is targeted individually"
        )
    manifest = {
        "audience": audience.name, "definition_version": audience.version, "as_of": segment.as_of.isoformat(),
        "row_count": segment.members, "treatment": segment.treatment, "holdout": segment.holdout,
        "git_revision": git_revision(), "format": fmt,
    }
    if dry_run:
        return ExportResult(segment, None, manifest)
    if con is None or key is None:
        raise AudienceError("exporting needs the vault and the master key: export tokens are issued there")
    export_id = new_release_id()
    out_dir = export_dir(data_dir, audience, segment, export_id)
    path = out_dir / f"members.{fmt}"
    now = datetime.now(UTC).replace(tzinfo=None)
    tokens.install_release_macro(con, key, EXPORT, export_id)
    con.execute(f"ATTACH '{store_path(data_dir)}' AS seg (READ_ONLY)")
    try:  # members the vault can no longer resolve (erased since the refresh) are not exported
        con.execute(
            """CREATE OR REPLACE TEMP TABLE export_rows AS
            SELECT tok_release(t.value) AS member_key, m.split_group, m.audience, m.definition_version,
                   m.as_of_date, t.value
            FROM seg.membership AS m JOIN vault.tokens.account AS t ON t.token = m.member_key
            WHERE m.as_of_date = ? AND m.audience = ?""", [segment.as_of, audience.name])
    finally:
        con.execute("DETACH seg")
    rows, holdout = con.execute("SELECT count(*), count(*) FILTER (WHERE split_group = 'holdout') "
                                "FROM export_rows").fetchone()
    manifest.update(export_id=export_id, row_count=rows, treatment=rows - holdout, holdout=holdout)
    # the vault learns the tokens before any file holds them: a file is never beyond the way back
    con.execute("BEGIN")
    con.execute("INSERT INTO vault.ops.release_tokens SELECT ?, member_key, value, split_group FROM export_rows",
                [export_id])
    con.execute("INSERT INTO vault.ops.releases VALUES (?, 'export', ?, ?, ?, ?, ?, ?, ?, ?)",
                [export_id, audience.name, segment.as_of, audience.version, str(path.relative_to(data_dir)), rows,
                 key.version, now, _user()])
    con.execute("COMMIT")
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = ("member_key", "split_group", "audience", "definition_version", "as_of_date")
    if fmt == "csv":  # a spreadsheet opens it: no cell may run as a formula
        con.execute(f"COPY ({csv_cells.sql_select(con, 'export_rows', columns)} ORDER BY member_key) "
                    f"TO '{path}' (FORMAT csv, HEADER true)")
    else:
        con.execute(f"COPY (SELECT {', '.join(columns)} FROM export_rows ORDER BY member_key) "
                    f"TO '{path}' (FORMAT parquet)")
    manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest["file"] = path.name
    (out_dir / f"members.{fmt}.manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    store = connect_store(data_dir)
    try:
        store.execute(
            """INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
               ON CONFLICT (audience, as_of_date, format) DO UPDATE SET
                 path = excluded.path, row_count = excluded.row_count, sha256 = excluded.sha256,
                 definition_version = excluded.definition_version, git_revision = excluded.git_revision,
                 exported_by = excluded.exported_by, last_exported_at = excluded.last_exported_at,
                 times = exports.times + 1""",
            [audience.name, segment.as_of, fmt, str(path.relative_to(data_dir)), rows,
             manifest["sha256"], audience.version, manifest["git_revision"], _user(), now, now])
    finally:
        store.close()
    return ExportResult(segment, path, manifest)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
