"""`yihui segment …`: opt-in marketing segments, their exports and activations."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipelines.cli.app import DataDir, SourceUrl, out, segment_app, session, settings, writes


@segment_app.command("refresh")
@writes
def segment_refresh(data_dir: DataDir = None) -> None:
    """Evaluate every audience (audiences/definitions) over the published warehouse as one wave.

    Needs the master key: holdouts are drawn in the vault, so they survive key rotations.
    """
    from audiences.segments import refresh

    s = settings(data_dir)
    with session(s) as (_key, con):
        segments = refresh(con, s.data_dir, s.layout.internal_path)
    _segment_table(segments)


def _segment_table(segments) -> None:
    from datetime import date

    t = Table(title="segments")
    for col in ("audience", "channel", "priority", "members", "holdout", "min", "as of", "refreshed", "freshness"):
        t.add_column(col, justify="right" if col in ("priority", "members", "holdout", "min") else "left")
    for seg in segments:
        a = seg.audience
        age = "never" if seg.as_of is None else f"{(date.today() - seg.refreshed_at.date()).days} d ago"
        due = {"daily": 1, "weekly": 7, "monthly": 31}[a.refresh]
        fresh = "stale" if seg.as_of is None or (date.today() - seg.refreshed_at.date()).days > due else "fresh"
        fresh = f"stale: {seg.stale_reason}" if seg.stale_reason else fresh
        members = f"{seg.members:,}" + ("" if seg.exportable else " (below min)")
        t.add_row(a.name, a.channel, str(a.priority), members, f"{seg.holdout:,}", str(a.minimum_size),
                  str(seg.as_of or "—"), age, f"{fresh} ({a.refresh})")
    out.print(t)


@segment_app.command("list")
def segment_list(data_dir: DataDir = None) -> None:
    """Every audience: channel, size, last refresh and freshness against its cadence."""
    from audiences.segments import status

    _segment_table(status(settings(data_dir).data_dir))


@segment_app.command("show")
def segment_show(name: Annotated[str, typer.Argument(help="Audience name.")], data_dir: DataDir = None) -> None:
    """Definition, size, exclusions by suppression reason, holdout size."""
    from audiences.definitions import get
    from audiences.segments import status

    a = get(name)
    seg = next(x for x in status(settings(data_dir).data_dir, [a]))
    out.print(f"[bold]{a.name}[/] (version {a.version}, {a.path.name}) — owner {a.owner}")
    out.print(a.description)
    out.print(f"channel {a.channel}, purpose {a.purpose}, priority {a.priority}, refresh {a.refresh}")
    out.print(f"filters: {a.where()}")
    out.print(f"holdout share {a.holdout_share:.0%}, frequency cap {a.frequency_cap.messages} promotion messages "
              f"per {a.frequency_cap.days} days, minimum size {a.minimum_size}")
    if seg.as_of is None:
        out.print("never refreshed: run `yihui segment refresh`")
        return
    out.print(f"as of {seg.as_of}: {seg.eligible:,} eligible, {seg.won_elsewhere:,} taken by higher-priority "
              f"audiences, {seg.members:,} members = {seg.treatment:,} treatment + {seg.holdout:,} holdout"
              + ("" if seg.exportable else f" — below the minimum size {a.minimum_size}: not exportable"))
    from audiences.segments import changes, suppression_reasons

    moved = changes(settings(data_dir).data_dir, a.name)
    if moved:
        out.print(f"since the wave of {moved[0] or '—'}: {moved[1]:,} entered, {moved[2]:,} left, {moved[3]:,} stayed")
    t = Table(title="matched the filters but excluded (the first reason that applies, in this order)")
    t.add_column("suppression reason")
    t.add_column("people", justify="right")
    t.add_column("meaning")
    for reason, meaning in suppression_reasons().items():
        t.add_row(reason, f"{seg.excluded.get(reason, 0):,}", meaning)
    out.print(t)


@segment_app.command("export")
@writes
def segment_export(
    name: Annotated[str, typer.Argument(help="Audience name.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; print the counts.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Member tokens of this export only (keyed by a new export id) with split group, a manifest and an audit row.

    Needs the master key: the vault issues the export's tokens and keeps the way back.
    """
    from audiences.definitions import get
    from audiences.export import export
    from audiences.segments import refresh, status

    s = settings(data_dir)
    a = get(name)
    if dry_run:
        res = export(None, None, s.data_dir, status(s.data_dir, [a])[0], fmt, dry_run=True)
    else:
        with session(s) as (key, con):
            seg = next(x for x in refresh(con, s.data_dir, s.layout.internal_path) if x.audience.name == name)
            res = export(con, key, s.data_dir, seg, fmt)
    m = res.manifest
    out.print(f"{name} as of {m['as_of']}: {m['row_count']:,} members ({m['treatment']:,} treatment, "
              f"{m['holdout']:,} holdout), definition {m['definition_version']}")
    out.print("dry run: nothing written" if dry_run else
              f"export {m['export_id']}: wrote {res.path} (sha256 {m['sha256'][:16]}…) and its manifest")


@segment_app.command("activate")
@writes
def segment_activate(name: Annotated[str, typer.Argument(help="Audience name.")], source: SourceUrl = None,
                     export_id: Annotated[str | None, typer.Option(
                         "--export-id", help="The export to activate (default: the newest of the latest wave).")] = None,
                     data_dir: DataDir = None) -> None:
    """Map an export back in the vault, re-check consent now, drop holdout and capped members, log it."""
    from audiences.definitions import get
    from audiences.segments import status
    from pipelines.run import activate_segment

    s = settings(data_dir, source)
    seg = status(s.data_dir, [get(name)])[0]
    with session(s) as (key, con):  # the vault key is required: no key, no way back to people
        r = activate_segment(con, key, s, seg, export_id)
    out.print(f"{r.audience} as of {r.as_of} (export {r.export_id}): {r.members:,} members, {r.dropped_holdout:,} holdout dropped, "
              f"{sum(r.dropped_consent.values()):,} no longer contactable, {r.dropped_cap:,} at the frequency cap")
    for reason, n in r.dropped_consent.items():
        out.print(f"  {reason}: {n:,}")
    out.print(f"delivered {r.delivered:,} → {r.path} (restricted; activation {r.activation_id}; "
              "the re-identification is logged in the vault)")
