"""Shared fixtures.  Tests are hermetic: no real key, no writes outside tmp."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.settings import Settings, resolve

TEST_KEY = "5e" * 32  # a throw-away key, used only by tests


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch, tmp_path):
    """No key or data dir leaks in from the developer's shell."""
    for var in list(os.environ):
        if var.startswith("YIHUI_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")
    monkeypatch.chdir(tmp_path)


def make_settings(data_dir: Path, source: str | None = None) -> Settings:
    return resolve(data_dir=str(data_dir), source=source)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A generated ``tiny`` source (with the bad-row matrix) and a full pipeline run over it."""
    from pipelines.generate import generate
    from pipelines.run import run
    from pipelines.source import Source

    data = tmp_path_factory.mktemp("tiny")
    old = os.environ.get("YIHUI_MASTER_KEY")
    os.environ["YIHUI_MASTER_KEY"] = TEST_KEY
    try:
        settings = make_settings(data)
        gen = generate(Source.parse(settings.source), "tiny", 42, with_bad_rows=True)
        summary = run(settings, log=lambda m: None)
    finally:
        if old is None:
            os.environ.pop("YIHUI_MASTER_KEY", None)
        else:
            os.environ["YIHUI_MASTER_KEY"] = old
    return settings, gen, summary


@pytest.fixture
def tiny_copy(tiny_run, tmp_path, monkeypatch):
    """A private copy of the tiny run's data folder, for tests that write (erase, rotate, corrupt…)."""
    import shutil

    settings, _, _ = tiny_run
    copy = tmp_path / "data"
    shutil.copytree(settings.data_dir, copy, ignore=shutil.ignore_patterns("gx", "tmp"))
    monkeypatch.setenv("YIHUI_MASTER_KEY", TEST_KEY)
    return make_settings(copy)
