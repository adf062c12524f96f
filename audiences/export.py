"""Exports: pseudonymous member keys of one segment, with a manifest and an audit row.

An export is a file under ``<data>/exports/<audience>/<as-of>/`` holding member
tokens, the split group, the audience and its definition version: nothing a
person could be found by.  The manifest says how to check it (row count,
sha256, definition hash, git revision, as-of).  Exporting the same segment
for the same as-of again writes the same bytes and bumps the audit row's
count instead of adding a second one (idempotent).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from audiences.definitions import PROJECT, Audience
from audiences.errors import AudienceError
from audiences.segments import Segment, connect_store

FORMATS = ("csv", "parquet")


@dataclass
class ExportResult:
    segment: Segment
    path: Path | None
    manifest: dict


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def export_dir(data_dir: Path, audience: Audience, segment: Segment) -> Path:
    return data_dir / "exports" / audience.name / segment.as_of.isoformat()


def export(data_dir: Path, segment: Segment, fmt: str = "csv", dry_run: bool = False) -> ExportResult:
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
    out_dir = export_dir(data_dir, audience, segment)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"members.{fmt}"
    con = connect_store(data_dir)
    try:
        options = "(FORMAT csv, HEADER true)" if fmt == "csv" else "(FORMAT parquet)"
        con.execute(
            f"""COPY (SELECT member_key, split_group, audience, definition_version, as_of_date
                     FROM membership WHERE as_of_date = ? AND audience = ? ORDER BY member_key)
                TO '{path}' {options}""", [segment.as_of, audience.name])
        manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        manifest["file"] = path.name
        (out_dir / f"members.{fmt}.manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            """INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
               ON CONFLICT (audience, as_of_date, format) DO UPDATE SET
                 path = excluded.path, row_count = excluded.row_count, sha256 = excluded.sha256,
                 definition_version = excluded.definition_version, git_revision = excluded.git_revision,
                 exported_by = excluded.exported_by, last_exported_at = excluded.last_exported_at,
                 times = exports.times + 1""",
            [audience.name, segment.as_of, fmt, str(path.relative_to(data_dir)), segment.members,
             manifest["sha256"], audience.version, manifest["git_revision"], _user(), now, now])
    finally:
        con.close()
    return ExportResult(segment, path, manifest)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
