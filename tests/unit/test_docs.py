"""Docs that cannot rot: every command and setting is in the README."""

from pathlib import Path

from core.settings import SETTINGS
from pipelines.cli import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_cli_command_is_documented():
    import typer.main

    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            names += [f"{name} {sub}" for sub in cmd.commands]
        else:
            names.append(name)
    missing = [n for n in names if f"yihui {n}" not in README]
    assert not missing


def test_every_setting_is_documented():
    assert not [s.env for s in SETTINGS if s.env not in README]
