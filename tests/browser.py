"""Headless Debian chromium for tests of the HTML we produce (risk report, GX Data Docs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# No background connections: this machine's network is closed and Chromium would retry them.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


def rendered_dom(page: Path, profile: Path) -> str:
    """The DOM after the page's scripts ran (``--dump-dom``), in a fresh profile."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian chromium is required (make test installs it)"
    proc = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                           "--dump-dom", page.as_uri()], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout, proc.stderr[-2000:]
    return proc.stdout
