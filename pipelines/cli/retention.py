"""`yihui retention apply`: retention periods (§四.(二))."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from core.errors import YihuiError
from pipelines.cli.app import DataDir, out, progress, retention_app, session, settings, writes


@retention_app.command("apply")
@writes
def retention_apply(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Apply the periods as of this date (default: today).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go; change nothing.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Delete, anonymise or erase what is past its retention period; report by data class."""
    from datetime import date

    from pipelines import retention
    from pipelines.run import rebuild

    try:
        when = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise YihuiError(f"--as-of must be a date (YYYY-MM-DD), not {as_of!r}") from None
    s = settings(data_dir)
    with session(s) as (_key, con):
        counts = retention.apply(con, when, dry_run, s.data_dir)
    t = Table(title=f"retention as of {when}" + (" (dry run: nothing changed)" if dry_run else ""))
    t.add_column("data class")
    t.add_column("action")
    t.add_column("kept")
    t.add_column("rows", justify="right")
    t.add_column("basis")
    for rule in retention.load_policy():
        t.add_row(rule.data_class, rule.action, rule.period, f"{counts.get(rule.data_class, 0):,}", rule.basis)
    out.print(t)
    if not dry_run and any(counts.values()) and s.layout.warehouse_path.exists():
        rebuild(s, log=progress, status="retention")
        out.print("warehouse rebuilt")
