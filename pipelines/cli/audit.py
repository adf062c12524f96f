"""`yihui audit leaks` and `yihui risk report`: proof that the release identifies no one."""

from __future__ import annotations

from rich.table import Table

from core.errors import YihuiError
from pipelines.cli.app import DataDir, audit_app, out, risk_app, session, settings, writes


@audit_app.command("leaks")
@writes
def audit_leaks(data_dir: DataDir = None) -> None:
    """Scan the warehouse, exports, dbt target/logs and GX files for raw identifiers and key material.

    Prints hits by place and kind (never the values); exits 1 if there is any.
    """
    from anonymizer.audit import audit, default_targets, vocabulary_files
    from anonymizer.errors import LeakDetected

    s = settings(data_dir)
    with session(s) as (key, con):
        databases, roots = default_targets(s)
        result = audit(con, key, s.data_dir, databases, roots, vocabulary_files(s.project_dir))
    needles = ", ".join(f"{n:,} {kind}" for kind, n in result.needles.items())
    out.print(f"looked for {needles}")
    if result.public_vocabulary:
        out.print(f"({result.public_vocabulary:,} values skipped: the repo's own seeds and suites spell them out)")
    out.print(f"in {result.scanned_columns:,} string columns and {result.scanned_files:,} files")
    if result.hits:
        t = Table(title="leaks (values not shown)")
        t.add_column("where", overflow="fold")
        t.add_column("kind")
        t.add_column("distinct values", justify="right")
        for h in result.hits:
            t.add_row(h.location, h.kind, f"{h.values:,}")
        out.print(t)
        raise LeakDetected(f"{sum(h.values for h in result.hits):,} leaking values in {len(result.hits)} places")
    out.print("[green]no raw identifier and no key material found[/]")


@risk_app.command("report")
def risk_report(data_dir: DataDir = None) -> None:
    """Measure the published release against the README's adversary: k, suppression, every attack.

    Reads the release as it is (the run's gate treated it) with the build database
    it was built from as ground truth, and writes reports/risk/measured.{json,html}:
    the run's own risk.{json,html} stay as the gate wrote them.  Exits 1 if a mart fails.
    """
    from anonymizer.risk import gate, text_line
    from pipelines import release_risk
    from pipelines.build import release_as_of

    s = settings(data_dir)
    as_of = release_as_of(s.layout.warehouse_path)
    if not s.layout.internal_path.exists():
        raise YihuiError(f"no build database at {s.layout.internal_path}: run `yihui run` first")
    res = release_risk.assess(s, f"report-{as_of}", as_of, treat=False)
    t = Table(title=f"re-identification risk of the published release (as of {as_of})")
    for col in ("mart", "release", "k (required)", "suppressed", "information lost", "attacks: worst released rate"):
        t.add_column(col, justify="left" if col in ("mart", "release") else "right", no_wrap=col == "mart")

    for r in res.reports:
        if r.kind == "aggregate":
            c = r.cells or {}
            k, supp = c.get("smallest"), f"{c.get('suppressed', 0):,}/{c.get('cells', 0):,} cells"
        else:
            k, supp = r.after.k, f"{r.after.suppressed:,}/{r.after.people:,} people"
        worst = max(r.attacks, key=lambda a: a["after"], default=None)
        t.add_row(("[red]" if r.failures else "") + r.mart, r.release,
                  f"{k if k is not None else '–'} ({r.k_required})", supp,
                  f"{r.information_loss['generalisation']:.0%} gen · {r.information_loss['suppression']:.1%} supp",
                  f"{worst['after']:.2%} ({worst['knowledge']})" if worst else "–")
    out.print(t)
    for r in res.reports:
        if r.text:
            out.print(f"{r.mart}: {text_line(r.text)}")
    out.print(f"report: {res.html_path} (and {res.json_path.name}; the run's risk.html is unchanged)")
    gate(res.reports)
    out.print("[green]every mart meets its thresholds[/]")
