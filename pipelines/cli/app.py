"""What every command shares: the app and its groups, the options, the consoles, the settings,
the data dir's lock (``writes``) and the vault session (``session``).

Heavy imports (dbt, Great Expectations, pandas) happen inside the use cases a command
calls, so ``yihui --help`` is instant.  Every shared option can also come from its
``YIHUI_…`` environment variable (see ``core.settings``).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from core.errors import YihuiError
from core.settings import BY_NAME, Settings, resolve

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

console = Console(stderr=True, soft_wrap=True)
# piped or redirected output is whole: no terminal width to crop tables to, no colour codes
out = Console() if sys.stdout.isatty() else Console(width=100_000, color_system=None, soft_wrap=True)
STATE = {"debug": False}


def progress(message: str) -> None:
    """A stage's progress line, dimmed, on stderr (stdout holds the command's answer)."""
    console.print(f"[dim]{message}[/]")


def _opt(name: str, *flags: str):
    s = BY_NAME[name]
    return typer.Option(*flags, help=f"{s.help} [env {s.env}]", show_default=False)


DataDir = Annotated[str | None, _opt("data_dir", "--data-dir")]
SourceUrl = Annotated[str | None, _opt("source", "--source")]
AsOf = Annotated[str | None, _opt("as_of", "--as-of")]
Threads = Annotated[int | None, _opt("threads", "--threads")]
FullRefresh = Annotated[bool, typer.Option(
    "--full-refresh", help="Check and pseudonymise every landing row again, not only those whose content or "
    "context changed: the next build database is written afresh.")]
IdNumber = Annotated[str | None, typer.Option("--id-number", help="The person's ID number (any ID type).")]
Mobile = Annotated[str | None, typer.Option("--mobile", help="The account's mobile number.")]
OpenId = Annotated[str | None, typer.Option("--openid", help="The account's WeChat OpenID.")]
Scope = Annotated[str, typer.Option("--scope", help="person: the named person alone; household: everyone on the "
                                    "accounts they hold (a guardian for a child).")]

# Commands that may start a data dir; every other one reads or changes one that must exist.
CREATES = frozenset({"generate", "keys_init", "run", "extract"})


def settings(data_dir=None, source=None, as_of=None, threads=None, creates: bool = False) -> Settings:
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

        s = settings(kwargs.get("data_dir"), creates=command.__name__ in CREATES)
        # `yihui subject erase` for subject_erase: never the arguments, which may name a person
        with lock.hold(s.data_dir, "yihui " + command.__name__.replace("_", " "), wait=s.lock_wait):
            return command(*args, **kwargs)

    return locked


@contextmanager
def session(s: Settings) -> Iterator[tuple]:
    """``with session(s) as (key, con):`` the vault, opened as every command opens it (``vault.session``);
    a repaired key rotation is said in yellow."""
    from vault.session import session as vault_session

    with vault_session(s, log=lambda m: console.print(f"[yellow]{m}[/]")) as opened:
        yield opened


@app.callback()
def main_options(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    STATE["debug"] = debug
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
