"""The CLI's last-resort handler: one line, and never the values a database message may quote."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli.handler import _unexpected


def test_a_conversion_error_is_named_without_the_value_it_failed_on():
    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as caught:
        con.execute("SELECT CAST('19850309' AS DATE)")
    line = _unexpected(caught.value)
    assert "19850309" not in line and "\n" not in line
    assert line.startswith("unexpected ConversionException in tests/unit/test_cli_errors.py:")


def test_an_unexpected_error_names_the_code_it_came_from_never_its_message():
    """A failure seen once (in CI) must say where it happened, without the values its message may hold."""
    import pandas as pd

    with pytest.raises(ValueError) as caught:
        pd.to_numeric(pd.Series(["13800001111x"]))
    line = _unexpected(caught.value)
    assert "13800001111" not in line and "\n" not in line
    assert line.startswith("unexpected ValueError in tests/unit/test_cli_errors.py:"), line
    assert "raised at " in line and "pandas" in line, line


def test_a_file_error_names_the_file():
    line = _unexpected(PermissionError(13, "Permission denied", "/data/warehouse.duckdb"))
    assert line == "cannot use /data/warehouse.duckdb: Permission denied; nothing was published"


def _leaf_commands() -> list[list[str]]:
    """Every command path of the CLI (``sql``, ``segment show``…), found from the app itself."""
    import typer.main

    from pipelines.cli import app

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if not subs:
            return [path]
        return [p for name, sub in sorted(subs.items()) for p in walk(sub, [*path, name])]

    return walk(typer.main.get_command(app), [])


@pytest.mark.parametrize("path", _leaf_commands(), ids=" ".join)
def test_every_commands_usage_error_is_one_error_line_and_exit_code_2(path, monkeypatch, capsys):
    from pipelines import cli

    monkeypatch.setattr("sys.argv", ["yihui", *path, "--no-such-option"])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    assert ended.value.code == 2
    assert len(lines) == 1 and lines[0].startswith("Error: No such option: --no-such-option"), lines


def test_a_mistyped_command_suggests_the_right_one_in_one_line(monkeypatch, capsys):
    from pipelines import cli

    monkeypatch.setattr("sys.argv", ["yihui", "segmnet", "list"])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    captured = capsys.readouterr()
    assert ended.value.code == 2
    assert (captured.out + captured.err).strip().splitlines() == [
        "Error: No such command 'segmnet'. Did you mean 'segment'? (see `yihui --help`)"]


def test_extra_words_typed_are_not_echoed_they_may_be_a_mobile(monkeypatch, capsys):
    from pipelines import cli

    monkeypatch.setattr("sys.argv", ["yihui", "subject", "access", "13800001111"])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    captured = capsys.readouterr()
    assert ended.value.code == 2
    assert "13800001111" not in captured.out + captured.err
    assert (captured.out + captured.err).strip().startswith("Error: unexpected extra arguments (values not shown")
