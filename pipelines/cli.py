"""The ``yihui`` command line: one module, one error handler.

Our exceptions (``YihuiError``) become one red ``Error: …`` line and exit code 1;
a traceback is shown only with ``--debug``.  Heavy imports (dbt, Great
Expectations, pandas) happen inside the commands that need them, so
``yihui --help`` is instant.  Every shared option can also come from its
``YIHUI_…`` environment variable (see ``core.settings``).
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.errors import DiskFull, Interrupted, YihuiError
from core.settings import BY_NAME, Settings, resolve
from pipelines import signals

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_show_locals=False,  # locals may hold personal data or keys
                  help="医惠锡城 privacy-first analytics warehouse.")


def _group(name: str, help_: str) -> typer.Typer:
    """A sub-command group (``yihui <name> …``), locals hidden from tracebacks like the main app."""
    group = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False, help=help_)
    app.add_typer(group, name=name)
    return group


keys_app = _group("keys", "Manage the master key.")
audit_app = _group("audit", "Prove that nothing identifying left the vault.")
segment_app = _group("segment", "Opt-in marketing segments: refresh, inspect, export, activate.")
subject_app = _group("subject", "Data-subject requests (§八): access, correction, erasure.")
retention_app = _group("retention", "Retention periods (§四.(二)), from seeds/retention_policy.csv.")
risk_app = _group("risk", "Re-identification risk of the published marts.")
vault_app = _group("vault", "Check, back up and restore the encrypted vault; its erasure ledger.")
IdNumber = Annotated[str | None, typer.Option("--id-number", help="The person's ID number (any ID type).")]
Mobile = Annotated[str | None, typer.Option("--mobile", help="The account's mobile number.")]
OpenId = Annotated[str | None, typer.Option("--openid", help="The account's WeChat OpenID.")]
Scope = Annotated[str, typer.Option("--scope", help="person: the named person alone; household: everyone on the "
                                    "accounts they hold (a guardian for a child).")]
console = Console(stderr=True, soft_wrap=True)
# piped or redirected output is whole: no terminal width to crop tables to, no colour codes
out = Console() if sys.stdout.isatty() else Console(width=100_000, color_system=None, soft_wrap=True)
STATE = {"debug": False}


def _opt(name: str, *flags: str):
    s = BY_NAME[name]
    return typer.Option(*flags, help=f"{s.help} [env {s.env}]", show_default=False)


DataDir = Annotated[str | None, _opt("data_dir", "--data-dir")]
SourceUrl = Annotated[str | None, _opt("source", "--source")]
AsOf = Annotated[str | None, _opt("as_of", "--as-of")]
Threads = Annotated[int | None, _opt("threads", "--threads")]


# Commands that may start a data dir; every other one reads or changes one that must exist.
CREATES = frozenset({"generate", "keys_init", "run", "extract"})


def _settings(data_dir=None, source=None, as_of=None, threads=None, creates: bool = False) -> Settings:
    s = resolve(data_dir=data_dir, source=source, as_of=as_of, threads=threads)
    if not creates and not s.data_dir.is_dir():
        raise YihuiError(f"no data dir at {s.data_dir}: check --data-dir (or YIHUI_DATA_DIR); "
                         "`yihui run` creates one")
    return s


def writes(command):
    """One writer at a time: the command holds the data dir's lock (``pipelines.lock``) from start to end.

    For every command that writes the vault, the warehouse, exports or restricted
    files, runs dbt on the data dir's target, or opens the vault at all (DuckDB
    lets one process at a time open it, so a second one would fail with an IO
    error that reads like damage).  Readers of the release and the segment store
    (``sql``, ``segment list``/``show``, ``risk report``) never wait for it.  Taken
    here and only here, so use cases calling each other (erase → rebuild) need not care.
    """
    @functools.wraps(command)
    def locked(*args, **kwargs):
        from pipelines import lock

        s = _settings(kwargs.get("data_dir"), creates=command.__name__ in CREATES)
        # `yihui subject erase` for subject_erase: never the arguments, which may name a person
        with lock.hold(s.data_dir, "yihui " + command.__name__.replace("_", " "), wait=s.lock_wait):
            return command(*args, **kwargs)

    return locked


@app.callback()
def main_options(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    STATE["debug"] = debug
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@app.command()
def generate(
    preset: Annotated[str, typer.Option(help="tiny (~1k accounts), small (~20k), district (~250k: a quarter of city) or city (~1M).")] = "small",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data on any day.")] = 42,
    source: SourceUrl = None,
    data_dir: DataDir = None,
    bad_rows: Annotated[bool, typer.Option("--bad-rows", help="Add the documented matrix of malformed rows.")] = False,
) -> None:
    """Build the synthetic operational database (SQLite file or PostgreSQL server)."""
    from rich.progress import Progress

    from pipelines.generate import generate as gen
    from pipelines.source import Source

    s = _settings(data_dir, source, creates=True)
    src = Source.parse(s.source)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"generating {preset}", total=None)
        result = gen(src, preset, seed, bad_rows, progress=lambda i, n: progress.update(task, completed=i, total=n))
    t = Table(title=f"generated {preset} (seed {seed}) → {src.display}")
    t.add_column("table")
    t.add_column("rows", justify="right")
    t.add_column("bad rows", justify="right")
    for name, n in result.rows.items():
        t.add_row(name, f"{n:,}", str(result.bad_rows.get(name, "")))
    out.print(t)


@keys_app.command("init")
def keys_init(data_dir: DataDir = None) -> None:
    """Create a random master key at <data-dir>/keys/master.key (mode 0600) unless one exists."""
    from anonymizer.keys import init_key

    path, created = init_key(_settings(data_dir, creates=True).data_dir)
    out.print(f"{'created' if created else 'kept existing'} master key {path}")
    if created:
        out.print("Back it up outside this machine: without it the vault cannot be opened and tokens cannot be reproduced.")


@keys_app.command("rotate")
@writes
def keys_rotate(data_dir: DataDir = None, as_of: AsOf = None) -> None:
    """Replace the master key: re-encrypt the vault, re-issue every token, rebuild the warehouse.

    Tokens of the old version become unlinkable to the new ones, so exports made
    before the rotation can no longer be joined to the warehouse.
    """
    from pipelines.run import rebuild
    from vault.rotate import rotate

    s = _settings(data_dir, as_of=as_of)
    r = rotate(s)
    out.print(f"rotated the master key: version {r.old_version} → {r.new_version} (key id {r.key_id}); "
              f"{sum(r.tokens_reissued.values()):,} tokens re-issued")
    summary = rebuild(s, log=lambda m: console.print(f"[dim]{m}[/]"), status="rotated")
    _print_summary(summary, s)
    from audiences.segments import status

    stale = [seg.audience.name for seg in status(s.data_dir) if seg.as_of is not None]  # all of the old key
    if stale:
        out.print(f"segments keyed to the old tokens, to refresh (`yihui segment refresh`): {', '.join(stale)}")
    out.print("Back up the new key file now: the old key no longer opens the vault.")


@keys_app.command("status")
@writes
def keys_status(data_dir: DataDir = None) -> None:
    """Which key is in use (origin, version, public fingerprint) and the vault's key history."""
    from vault.session import open_session

    s = _settings(data_dir)
    key, con = open_session(s, log=lambda m: console.print(f"[yellow]{m}[/]"))
    try:
        out.print(f"master key from {key.origin}: version {key.version}, key id {key.key_id}")
        exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'vault' "
                             "AND schema_name = 'ops' AND table_name = 'key_versions'").fetchone()[0]
        rows = con.execute("SELECT version, key_id, activated_at FROM vault.ops.key_versions ORDER BY 1").fetchall() \
            if exists else []
    finally:
        con.close()
    for version, key_id, at in rows:
        out.print(f"  v{version}  {key_id}  in use from {at:%Y-%m-%d %H:%M}")


@audit_app.command("leaks")
@writes
def audit_leaks(data_dir: DataDir = None) -> None:
    """Scan the warehouse, exports, dbt target/logs and GX files for raw identifiers and key material.

    Prints hits by place and kind (never the values); exits 1 if there is any.
    """
    from anonymizer.audit import audit, default_targets, vocabulary_files
    from anonymizer.errors import LeakDetected
    from vault.session import open_session

    s = _settings(data_dir)
    key, con = open_session(s)
    try:
        databases, roots = default_targets(s)
        result = audit(con, key, s.data_dir, databases, roots, vocabulary_files(s.project_dir))
    finally:
        con.close()
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

    s = _settings(data_dir)
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


@segment_app.command("refresh")
@writes
def segment_refresh(data_dir: DataDir = None) -> None:
    """Evaluate every audience (audiences/definitions) over the published warehouse as one wave.

    Needs the master key: holdouts are drawn in the vault, so they survive key rotations.
    """
    from audiences.segments import refresh
    from vault.session import session

    s = _settings(data_dir)
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

    _segment_table(status(_settings(data_dir).data_dir))


@segment_app.command("show")
def segment_show(name: Annotated[str, typer.Argument(help="Audience name.")], data_dir: DataDir = None) -> None:
    """Definition, size, exclusions by suppression reason, holdout size."""
    from audiences.definitions import get
    from audiences.segments import status

    a = get(name)
    seg = next(x for x in status(_settings(data_dir).data_dir, [a]))
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

    moved = changes(_settings(data_dir).data_dir, a.name)
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
    from vault.session import session

    s = _settings(data_dir)
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
    from datetime import datetime

    from anonymizer.pseudonymise import install_shared_macros
    from audiences.activate import activate
    from audiences.definitions import get
    from audiences.segments import status
    from pipelines import subjects
    from pipelines.extract import extract as do_extract
    from pipelines.source import Source
    from vault.session import open_session

    s = _settings(data_dir, source)
    a = get(name)
    seg = status(s.data_dir, [a])[0]
    key, con = open_session(s)  # the vault key is required: no key, no way back to people
    try:
        extracted_from = con.execute("SELECT now()::TIMESTAMP").fetchone()[0]
        do_extract(con, Source.parse(s.source))  # the newest consent and account state
        subjects.enforce(con, "activation", extracted_from)  # erased people stay erased
        install_shared_macros(con)
        r = activate(con, key, s.data_dir, seg, datetime.now(), export_id)
    finally:
        con.close()
    out.print(f"{r.audience} as of {r.as_of} (export {r.export_id}): {r.members:,} members, {r.dropped_holdout:,} holdout dropped, "
              f"{sum(r.dropped_consent.values()):,} no longer contactable, {r.dropped_cap:,} at the frequency cap")
    for reason, n in r.dropped_consent.items():
        out.print(f"  {reason}: {n:,}")
    out.print(f"delivered {r.delivered:,} → {r.path} (restricted; activation {r.activation_id}; "
              "the re-identification is logged in the vault)")


def _identifier_kind(id_number, mobile, openid) -> str:
    return "id_number" if id_number else "mobile" if mobile else "openid"


def _scope_line(subject) -> str:
    from pipelines.subjects import SCOPES

    left_out = (f"; {subject.others} other insured {'person' if subject.others == 1 else 'people'} on their "
                "account left out (--scope household includes them)") if subject.scope == "person" and subject.others else ""
    return f"scope {subject.scope}: {SCOPES[subject.scope]}{left_out}"


@subject_app.command("access")
@writes
def subject_access(id_number: IdNumber = None, mobile: Mobile = None, openid: OpenId = None,
                   fmt: Annotated[str, typer.Option("--format", help="json or html.")] = "json",
                   scope: Scope = "person", data_dir: DataDir = None) -> None:
    """Everything held about a person: vault rows, warehouse rows, segments, exports, deliveries.

    The answer is written to <data-dir>/restricted/subject-requests/ (mode 0600), never to the screen.
    """

    from pipelines import retention, subjects
    from pipelines.run import new_run_id
    from vault.session import open_session

    if fmt not in ("json", "html"):
        raise YihuiError(f"unknown format {fmt!r} (json or html)")
    s = _settings(data_dir)
    _key, con = open_session(s)
    try:
        subject = subjects.find(con, id_number, mobile, openid, scope)
        report = subjects.access(con, subject, s.layout.internal_path, s.data_dir)
        request_id = new_run_id()
        path = subjects.write_answer(con, s.data_dir, subject, report, fmt, request_id)
        subjects.log_request(con, "access", _identifier_kind(id_number, mobile, openid), request_id, subject.total)
    finally:
        con.close()
    counts = {k: (sum(len(v) for v in report[k].values()) if isinstance(report[k], dict) else len(report[k]))
              for k in report if k != "scope"}
    out.print(_scope_line(subject))
    out.print("found: " + ", ".join(f"{k} {n:,}" for k, n in counts.items()))
    out.print(f"answer written to {path} (restricted; `yihui retention apply` removes it after "
              f"{retention.answer_retention_days()} days, erasure at once); the request is logged in the vault")


@subject_app.command("erase")
@writes
def subject_erase(id_number: IdNumber = None, mobile: Mobile = None, openid: OpenId = None,
                  scope: Scope = "person", data_dir: DataDir = None) -> None:
    """Erase a person: vault rows and tokens, warehouse, segments, exports, deliveries; remember it in the ledger.

    Orders, payments and certificates stay in the vault under a 3-year legal hold (§四.(二)),
    invisible to the warehouse.  A later run from a source that still holds the person
    does not bring them back.
    """
    from pipelines import subjects
    from pipelines.run import new_run_id, rebuild
    from vault.session import open_session

    s = _settings(data_dir)
    _key, con = open_session(s)
    try:
        subject = subjects.find(con, id_number, mobile, openid, scope)
        request_id = new_run_id()
        erased = subjects.erase(con, subject, request_id)
        subjects.log_request(con, "erase", _identifier_kind(id_number, mobile, openid), request_id, subject.total)
    finally:
        con.close()
    downstream = subjects.purge_downstream(s.data_dir, erased.account_tokens, erased.handles, erased.release_tokens,
                                           erased.answers)
    out.print(_scope_line(subject))
    out.print("vault: " + ", ".join(f"{t} {n:,}" for t, n in erased.removed.items())
              + f" (of which {', '.join(t for t in erased.removed if t in subjects.HELD) or 'none'} under legal hold)")
    out.print("downstream: " + ", ".join(f"{k} {n:,}" for k, n in downstream.items()))
    if s.layout.warehouse_path.exists():
        rebuild(s, log=lambda m: console.print(f"[dim]{m}[/]"), status="erasure")
        out.print("warehouse rebuilt without them")
    out.print(f"erasure {request_id} recorded in the ledger (keyed hashes only)")


@subject_app.command("correct")
@writes
def subject_correct(id_number: IdNumber = None, mobile: Mobile = None, openid: OpenId = None,
                    source: SourceUrl = None, data_dir: DataDir = None) -> None:
    """After a correction in the operational source (the system of record): re-run so every derived row follows.

    Identify the person by the corrected value.  Tokens and generalised attributes are
    re-derived from the source; the warehouse is rebuilt, so no stale row remains.
    """
    from pipelines import subjects
    from pipelines.run import new_run_id
    from pipelines.run import run as run_pipeline
    from pipelines.source import Source
    from vault.session import open_session

    s = _settings(data_dir, source)
    subjects.check_held_in_source(Source.parse(s.source), id_number, mobile, openid)
    summary = run_pipeline(s, log=lambda m: console.print(f"[dim]{m}[/]"))
    _key, con = open_session(s)
    try:
        subject = subjects.find(con, id_number, mobile, openid)
        subjects.log_request(con, "correct", _identifier_kind(id_number, mobile, openid), new_run_id(), subject.total)
    finally:
        con.close()
    out.print(f"run {summary.run_id}: the corrected record ({subject.total:,} source rows) now flows to every "
              "derived row")


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
    from vault.session import open_session

    try:
        when = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise YihuiError(f"--as-of must be a date (YYYY-MM-DD), not {as_of!r}") from None
    s = _settings(data_dir)
    _key, con = open_session(s)
    try:
        counts = retention.apply(con, when, dry_run, s.data_dir)
    finally:
        con.close()
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
        rebuild(s, log=lambda m: console.print(f"[dim]{m}[/]"), status="retention")
        out.print("warehouse rebuilt")


@vault_app.command("check")
@writes
def vault_check(data_dir: DataDir = None) -> None:
    """Read the vault whole (every block's AES-GCM tag) and compare its erasure ledger with ledger.state.

    Writing commands run the same check before they write; this one writes nothing to the vault.
    """
    from vault import backup

    size, ledger = backup.check(_settings(data_dir).data_dir)
    out.print(f"the vault reads whole ({size:,} bytes); its erasure ledger holds {ledger.entries:,} entries, "
              "none missing")


def _backup_table(found) -> None:
    t = Table(title="vault backups (encrypted with the master key, like the vault)")
    for col in ("backup", "kind", "taken (UTC)", "bytes"):
        t.add_column(col, justify="right" if col == "bytes" else "left", no_wrap=True)
    for b in found:
        t.add_row(b.path.name, b.kind, f"{b.taken_at:%Y-%m-%d %H:%M:%S}", f"{b.size:,}")
    out.print(t)


@vault_app.command("backup")
@writes
def vault_backup(data_dir: DataDir = None,
                 list_: Annotated[bool, typer.Option("--list", help="List the backups instead.")] = False) -> None:
    """Copy the vault, read whole, into <data-dir>/backups/vault-<time>.duckdb under the same key.

    The key is not stored with it: keep the master key's own backup apart from these.
    """
    from vault import backup

    s = _settings(data_dir)
    if list_:
        _backup_table(backup.list_backups(s.data_dir))
        return
    b = backup.backup(s.data_dir)
    out.print(f"backed up the vault to {b.path} ({b.size:,} bytes); it opens only with the master key")


@vault_app.command("list")
def vault_list(data_dir: DataDir = None) -> None:
    """The backups and the last good copy a writing command kept, oldest first."""
    from vault import backup

    _backup_table(backup.list_backups(_settings(data_dir).data_dir))


@vault_app.command("restore")
@writes
def vault_restore(name: Annotated[str | None, typer.Argument(
                      help="A backup from `yihui vault list` (default: the newest).")] = None,
                  data_dir: DataDir = None) -> None:
    """Replace the vault by a backup once that backup opens with the current key and reads whole.

    The replaced vault is kept beside it as vault.duckdb.damaged-<time>, never deleted.
    """
    from vault import backup

    r = backup.restore(_settings(data_dir).data_dir, name)
    taken = f"{r.backup.taken_at:%Y-%m-%d %H:%M:%S}"
    out.print(f"restored the vault from {r.backup.path.name} ({r.backup.kind}, taken {taken} UTC)"
              + (f"; the replaced vault is kept as {r.set_aside}" if r.set_aside else ""))
    if r.ledger_behind:
        console.print(f"[yellow]warning:[/] this backup's erasure ledger holds {r.ledger_behind[0]:,} of the "
                      f"{r.ledger_behind[1]:,} entries ledger.state records: runs refuse until a newer backup is "
                      "restored or `yihui vault reset-ledger --yes` accepts the loss")


@vault_app.command("reset-ledger")
@writes
def vault_reset_ledger(data_dir: DataDir = None, yes: Annotated[bool, typer.Option(
        "--yes", help="Accept that erasures missing from the vault's ledger are no longer enforced.")] = False) -> None:
    """Accept the vault's erasure ledger as it stands, after a loss no backup can undo; the decision is recorded.

    People erased before the loss come back from any source that still holds them:
    erase them again (`yihui subject erase`) if you know who they were.
    """
    from vault import backup

    if not yes:
        raise YihuiError("resetting the erasure ledger lets people erased before come back from the source: "
                         "restore a backup (`yihui vault restore`) instead, or pass --yes")
    before, after = backup.reset_ledger(_settings(data_dir).data_dir)
    out.print(f"erasure ledger reset: ledger.state recorded {before.entries:,} entries, the vault holds "
              f"{after.entries:,}; the reset is recorded in ledger.state")


def _print_summary(summary, settings: Settings) -> None:
    t = Table(title=f"run {summary.run_id} (as of {summary.as_of})")
    t.add_column("mart")
    t.add_column("rows", justify="right")
    for name, n in summary.marts.items():
        t.add_row(name, f"{n:,}")
    out.print(t)
    q = Table(title="quarantined rows (kept in the vault, with reasons)")
    q.add_column("table")
    q.add_column("reason")
    q.add_column("rows", justify="right")
    for table, reasons in summary.quarantined.items():
        for reason, n in reasons.items():
            q.add_row(table, reason, f"{n:,}")
    if not summary.quarantined:
        q.add_row("—", "none", "0")
    out.print(q)
    if summary.source_deletions:
        out.print(f"erased {summary.source_deletions:,} account(s) whose deletion request the source completed (§八)")
    for w in summary.warnings:
        out.print(f"[yellow]warning:[/] {w}")
    if summary.build:
        out.print(f"dbt: {summary.build.passed} passed, {summary.build.warned} warned")
    if summary.stage_seconds:
        out.print("stages: " + " · ".join(f"{name} {s:.1f} s" for name, s in summary.stage_seconds.items()))
        checks = summary.validation_seconds()
        total = sum(summary.stage_seconds.values())
        if checks and total:
            out.print(f"validation: {sum(checks.values()):.1f} s, {sum(checks.values()) / total:.1%} of the run ("
                      + " · ".join(f"{name} {s:.1f} s" for name, s in checks.items()) + ")")
    out.print(f"warehouse: {summary.warehouse}")
    if summary.data_docs:
        out.print(f"data quality: {summary.data_docs}")
    if summary.risk_report:
        out.print(f"risk report: {summary.risk_report}")
    out.print(f"try:  .venv/bin/yihui sql \"select age_band, count(*) from profile.dim_customers group by 1 order by 1\""
              f"{'' if settings.data_dir == Path('data').resolve() else ' --data-dir ' + str(settings.data_dir)}")


@app.command()
@writes
def run(source: SourceUrl = None, data_dir: DataDir = None, as_of: AsOf = None, threads: Threads = None,
        accept_volume_change: Annotated[bool, typer.Option(
            "--accept-volume-change", help="Publish even if the marts moved beyond expectations/volume.yml.")] = False,
        ) -> None:
    """Extract, validate, pseudonymise, build and publish the warehouse."""
    from pipelines.run import run as run_pipeline

    s = _settings(data_dir, source, as_of, threads, creates=True)
    summary = run_pipeline(s, log=lambda m: console.print(f"[dim]{m}[/]"), accept_volume_change=accept_volume_change)
    _print_summary(summary, s)


@app.command()
@writes
def extract(source: SourceUrl = None, data_dir: DataDir = None) -> None:
    """Copy new and changed source rows into the encrypted vault (changes found by content)."""
    from pipelines.extract import extract as do_extract
    from pipelines.source import Source
    from vault.session import open_session

    s = _settings(data_dir, source, creates=True)
    _key, con = open_session(s)
    try:
        for r in do_extract(con, Source.parse(s.source), log=out.print):
            out.print(f"{r.table}: {r.describe()}")
    finally:
        con.close()


@app.command()
@writes
def validate(data_dir: DataDir = None, as_of: AsOf = None) -> None:
    """Run the Great Expectations checkpoints on the vault's landing data; refresh the quarantine and the quality page."""
    from pipelines.run import new_run_id, resolve_as_of
    from pipelines.validate import validate as do_validate
    from vault.session import open_session

    s = _settings(data_dir, as_of=as_of)
    _key, con = open_session(s)
    try:
        res = do_validate(con, s, new_run_id(), resolve_as_of(con, s), {})
    finally:
        con.close()
    for table, reasons in res.quarantined.items():
        for reason, n in reasons.items():
            out.print(f"{table}: {n:,} quarantined ({reason})")
    for w in res.warnings:
        out.print(f"warning: {w}")
    out.print(f"data quality: {res.data_docs}")


@app.command()
@writes
def pseudonymise(data_dir: DataDir = None, as_of: AsOf = None) -> None:
    """Tokenise and generalise the validated landing data into the staging warehouse."""
    from pipelines.run import RunSummary, new_run_id, resolve_as_of, stage
    from vault.session import open_session

    s = _settings(data_dir, as_of=as_of)
    key, con = open_session(s)
    try:
        summary = RunSummary(new_run_id(), resolve_as_of(con, s))
        stage(con, key, s, summary, "vault", lambda m: None, status="staged")
    finally:
        con.close()
    for table, n in summary.pseudonymised.items():
        out.print(f"pseudo.{table}: {n:,} rows")
    out.print(f"next build database: {s.layout.staging_path} (build, gate and publish with `yihui build`)")


@app.command()
@writes
def build(data_dir: DataDir = None, as_of: AsOf = None, threads: Threads = None,
          engine: Annotated[str, typer.Option(
              "--engine", help="duckdb: build, gate and publish the warehouse. spark: build the same marts on "
              "a local Spark session from the staging warehouse's sources exported as Parquet (not published).",
          )] = "duckdb") -> None:
    """Run dbt build on the staging warehouse; on DuckDB, publish it when every test and gate passes."""
    from pipelines import run as run_mod

    s = _settings(data_dir, as_of=as_of, threads=threads)
    if engine == "spark":
        from pipelines import spark

        res = spark.build(s, s.as_of)
        t = Table(title=f"marts built on Spark ({spark.state_dir(s) / 'warehouse'})")
        for column in ("mart", "rows", "checksum"):
            t.add_column(column, justify="right" if column == "rows" else "left")
        for name, (rows, digest) in res.marts.items():
            t.add_row(name, f"{rows:,}", digest)
        out.print(t)
        out.print(f"dbt (spark): {res.result.passed} passed, {res.result.warned} warned; "
                  + " · ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items()))
        return
    if engine != "duckdb":
        raise typer.BadParameter(f"unknown engine {engine!r}: duckdb or spark", param_hint="--engine")
    # the same gates as `yihui run` (risk, volume) stand between a build and the analysts
    summary = run_mod.publish_staged(s, log=lambda m: console.print(f"[dim]{m}[/]"))
    out.print(f"dbt: {summary.build.passed} passed, {summary.build.warned} warned; published {summary.warehouse}")


@app.command()
@writes
def docs(data_dir: DataDir = None) -> None:
    """Write the warehouse's model and column docs (dbt docs, one static HTML page)."""
    from pipelines import build as build_mod

    path = build_mod.docs(_settings(data_dir))
    out.print(f"docs: {path}  (open it in a browser; it works offline, no server needed)")


def _sql_error(exc: Exception) -> str:
    """DuckDB's message on one line, its hint kept ("Did you mean …"); the echo of the query and
    its caret dropped (the analyst has the query).  The query reads only the anonymous release."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"})


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="SQL to run; omit for an interactive shell.")] = None,
    data_dir: DataDir = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """Query the analyst warehouse read-only (one query, or an interactive shell)."""
    import duckdb

    s = _settings(data_dir)
    if not s.layout.warehouse_path.exists():
        raise YihuiError(f"no warehouse at {s.layout.warehouse_path}: run `yihui run` first")
    con = connect_release(s.layout.warehouse_path)

    def show(q: str) -> None:
        try:
            rel = con.sql(q)
            if rel is None:
                return
            cols, rows = rel.columns, rel.fetchall()  # a failed cast fails here, not in con.sql
        except duckdb.Error as exc:
            raise YihuiError(_sql_error(exc)) from None
        if csv:  # opened in spreadsheets: no cell may run as a formula
            from core import csv_cells

            w = csv_cells.writer(sys.stdout)
            w.writerow(cols)
            w.writerows(rows)
            return
        t = Table()
        for c in cols:
            t.add_column(c)
        for r in rows[:1000]:
            t.add_row(*["" if v is None else str(v) for v in r])
        out.print(t)
        if len(rows) > 1000:
            out.print(f"… {len(rows) - 1000:,} more rows (use --csv for all)")

    if query:
        show(query)
        return
    out.print(f"read-only SQL over {s.layout.warehouse_path}; end a statement with ';', quit with .quit or Ctrl-D")
    buf = ""
    while True:
        try:
            line = input("yihui> " if not buf else "   ...> ")
        except EOFError:
            break
        if line.strip() in (".quit", ".exit"):
            break
        buf += line + "\n"
        if buf.strip().endswith(";"):
            try:
                show(buf)
            except YihuiError as exc:
                console.print(f"[red]Error:[/] {exc}")
            buf = ""


def connect_release(warehouse: Path):
    """The release, read-only, with no way out to the file system: no query reads a key file,
    attaches the build database or writes a copy, and the setting cannot be turned back on."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _disk_full(exc: BaseException) -> DiskFull | None:
    """A full disk surfaces as OSError(ENOSPC) from Python or as an IO error from DuckDB or GX."""
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left on device" in str(exc):
        return DiskFull("the disk is full: the command stopped, nothing was published and the last good "
                        "warehouse is untouched; free some space and run again")
    return None


def main() -> None:
    """The one error handler: every way a command ends becomes an exit code and at most one line."""
    signals.install()
    try:
        try:
            code = app(standalone_mode=False, prog_name="yihui")
        except Exception as exc:
            full = _disk_full(exc)
            if full:
                raise full from exc
            raise
        if signals.received is not None:  # typer turned the interrupt into Exit(130) and returned
            raise Interrupted(signals.received)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (_exit_code re-raises what it does not know)
        sys.exit(_exit_code(exc))
    sys.exit(code if isinstance(code, int) else 0)


def _exit_code(exc: BaseException) -> int:
    if signals.received is not None or isinstance(exc, KeyboardInterrupt):
        signum = signals.received or signal.SIGINT
        console.print(f"[bold red]Error:[/] {signals.message(signum)}")
        return signals.exit_code(signum)
    if isinstance(exc, YihuiError):
        if STATE["debug"]:
            raise exc
        console.print(f"[bold red]Error:[/] {exc}")
        return 1
    if isinstance(exc, typer.Exit):
        return exc.exit_code
    if isinstance(exc, typer.Abort):
        console.print("Aborted.")
        return 1
    if callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int):
        # click's usage errors (typer vendors its own click: matched by shape, not class)
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # a bare `yihui` or `yihui segment`: the list of commands is the answer
            return exc.exit_code
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        message = exc.format_message()
        if message.startswith("Got unexpected extra argument"):
            message = "unexpected extra arguments (values not shown: they may be a mobile or an ID number)"
        console.print(f"[bold red]Error:[/] {escape(message)}{hint}")
        return exc.exit_code
    if STATE["debug"]:
        raise exc
    console.print(f"[bold red]Error:[/] {_unexpected(exc)}")
    return 1


def _unexpected(exc: BaseException) -> str:
    """One line for an error nobody raised on purpose, never with its message's values.

    Database messages can quote the data they failed on (a conversion error prints the
    value), so only file-system errors, which name files, keep their first line.
    """
    import duckdb

    if isinstance(exc, OSError) and exc.filename:
        return f"cannot use {exc.filename}: {exc.strerror or type(exc).__name__}; nothing was published"
    if isinstance(exc, duckdb.IOException | duckdb.PermissionException):
        return f"{str(exc).splitlines()[0]}; nothing was published"
    return (f"unexpected {type(exc).__name__}: the command stopped and nothing was published; "
            "run again with --debug to see where (the details may show data)")


if __name__ == "__main__":
    main()
