"""`yihui subject …`: data-subject requests (§八); the answers never reach the screen."""

from __future__ import annotations

from typing import Annotated

import typer

from core.errors import YihuiError
from pipelines.cli.app import (
    DataDir,
    IdNumber,
    Mobile,
    OpenId,
    Scope,
    SourceUrl,
    out,
    progress,
    session,
    settings,
    subject_app,
    writes,
)


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

    if fmt not in ("json", "html"):
        raise YihuiError(f"unknown format {fmt!r} (json or html)")
    s = settings(data_dir)
    with session(s) as (_key, con):
        subject, counts, path = subjects.answer_access(con, s.data_dir, s.layout.internal_path, new_run_id(),
                                                       id_number, mobile, openid, scope, fmt)
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

    s = settings(data_dir)
    request_id = new_run_id()
    with session(s) as (_key, con):
        subject, erased = subjects.erase_request(con, request_id, id_number, mobile, openid, scope)
    downstream = subjects.purge_downstream(s.data_dir, erased.account_tokens, erased.handles, erased.release_tokens,
                                           erased.answers)
    out.print(_scope_line(subject))
    out.print("vault: " + ", ".join(f"{t} {n:,}" for t, n in erased.removed.items())
              + f" (of which {', '.join(t for t in erased.removed if t in subjects.HELD) or 'none'} under legal hold)")
    out.print("downstream: " + ", ".join(f"{k} {n:,}" for k, n in downstream.items()))
    if s.layout.warehouse_path.exists():
        rebuild(s, log=progress, status="erasure")
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

    s = settings(data_dir, source)
    subjects.check_held_in_source(Source.parse(s.source), id_number, mobile, openid)
    summary = run_pipeline(s, log=progress)
    with session(s) as (_key, con):
        subject = subjects.find(con, id_number, mobile, openid)
        subjects.log_request(con, "correct", subjects.identifier_kind(id_number, mobile, openid), new_run_id(), subject.total)
    out.print(f"run {summary.run_id}: the corrected record ({subject.total:,} source rows) now flows to every "
              "derived row")
