"""The one error handler: every way a command ends becomes an exit code and at most one line.

Our exceptions (``YihuiError``) become one red ``Error: …`` line and exit code 1 (2 for
usage); a traceback is shown only with ``--debug``."""

from __future__ import annotations

import errno
import signal
import sys

import typer
from rich.markup import escape

from core.errors import DiskFull, Interrupted, YihuiError
from pipelines import signals
from pipelines.cli.app import STATE, app, console


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
    return (f"unexpected {type(exc).__name__} {_where(exc)}: the command stopped and nothing was published; "
            "run again with --debug for the whole traceback (the details may show data)")


def _where(exc: BaseException) -> str:
    """Where it was raised, as code locations only (file, line, function): no message, so no values.

    An error that happens once (a CI run, a night's run) cannot always be run again with ``--debug``;
    the place it came from is then the only lead."""
    import traceback
    from pathlib import Path

    from core.layout import PROJECT_DIR

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "(no traceback)"

    def ours(f: traceback.FrameSummary) -> bool:
        path = Path(f.filename)
        return path.is_relative_to(PROJECT_DIR) and ".venv" not in path.parts

    def short(f: traceback.FrameSummary) -> str:
        path = Path(f.filename)
        if ours(f):
            name = path.relative_to(PROJECT_DIR).as_posix()
        elif "site-packages" in path.parts:
            name = "/".join(path.parts[path.parts.index("site-packages") + 1:])
        else:
            name = "/".join(path.parts[-2:])
        return f"{name}:{f.lineno} ({f.name})"

    last_ours = next((f for f in reversed(frames) if ours(f)), None)
    where = f"in {short(last_ours)}" if last_ours else ""
    if frames[-1] is not last_ours:
        where += f"{', ' if where else ''}raised at {short(frames[-1])}"
    return where
