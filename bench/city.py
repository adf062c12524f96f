"""City scale (issues 9, 22): `yihui run` end to end on tiny → small → district → city, and an incremental run.

Every step is the real CLI in a child process; wall time per stage comes from
the run's own summary, peak RSS from ``wait4`` on that child (its dbt child
included).  Generated sources are cached in ``.bench-cache/`` (about 7 min and
3.8 GB for `city`), keyed by the generator's code, since they are a function of
it and the seed alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench-cache"
STAGES = re.compile(r"([a-z][a-z ]*?) ([0-9.]+) s(?: ·|$)")
TOUCHED_AT = "2026-11-24 12:00:00"  # after the generator's reference time, before today


def _cli(*args: str) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, stdout) of one ``yihui`` command; fails loudly."""
    env = {**os.environ, "COLUMNS": "500", "DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"yihui {' '.join(args)} failed: {out[-1500:]}")
    return seconds, usage.ru_maxrss // 1024, out


def source_for(preset: str, seed: int = 42) -> Path:
    code = hashlib.sha256((ROOT / "pipelines" / "generate.py").read_bytes()
                          + (ROOT / "seeds" / "coverage_years.csv").read_bytes()).hexdigest()[:12]
    path = CACHE / f"{preset}-{seed}-{code}" / "ops.sqlite"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".partial")
        for leftover in path.parent.glob("ops.partial*"):  # an interrupted generation, with its -wal/-shm
            leftover.unlink()
        print(f"[bench]   generating {preset} (cached in {path.parent})", file=sys.stderr, flush=True)
        _cli("generate", "--preset", preset, "--seed", str(seed), "--source", f"sqlite:///{tmp}")
        tmp.rename(path)
    return path


def full_run(source: Path, data_dir: Path) -> dict:
    seconds, rss, out = _cli("run", "--source", f"sqlite:///{source}", "--data-dir", str(data_dir))
    line = next((ln for ln in out.splitlines() if ln.startswith("stages: ")), "")
    stages = {name.strip(): float(s) for name, s in STAGES.findall(line.removeprefix("stages: "))}
    rows = sum(int(n.replace(",", "")) for n in re.findall(r"extract \w+: ([0-9,]+) rows", out))
    checks = re.search(r"^validation: ([0-9.]+) s, .*?\((.*)\)$", out, re.MULTILINE)
    validation = {name.strip(): float(s) for name, s in STAGES.findall(checks.group(2))} if checks else {}
    return {"seconds": round(seconds, 1), "peak_rss_mb": rss, "stages": stages, "source_rows": rows,
            "rows_per_s": round(rows / seconds), "validation": validation,
            "validation_seconds": float(checks.group(1)) if checks else None}


def touch_one_percent(source: Path) -> dict[str, int]:
    """1 % changed accounts and insured people, 1 % new access-log and consent events."""
    con = sqlite3.connect(source)
    changed = {}
    with con:
        for table, key in (("accounts", "account_id"), ("insured_persons", "person_id")):
            changed[table] = con.execute(
                f"UPDATE {table} SET updated_at = ? WHERE {key} % 97 = 7", [TOUCHED_AT]).rowcount
        for table, key in (("access_logs", "log_id"), ("consent_events", "event_id")):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            top = con.execute(f"SELECT max({key}) FROM {table}").fetchone()[0]
            stamps = {c: "?" for c in cols if c in ("occurred_at", "updated_at", "created_at")}
            select = ", ".join(f"{key} + {top}" if c == key else (stamps.get(c) or c) for c in cols)
            changed[table] = con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {table} WHERE {key} % 97 = 3 "
                f"AND {key} <= {top}", [TOUCHED_AT] * len(stamps)).rowcount
    con.close()
    return changed


SCALES = ("tiny", "small", "district", "city")  # each preset 4x the one before it


def city_end_to_end(workdir: Path, scale: float) -> dict:
    """Issue 22's targets, and the scaling curve tiny → small → district → city (full runs, fresh dirs)."""
    presets = SCALES if scale >= 1 else SCALES[:2]
    big, quarter = presets[-1], presets[-2]
    curve = {p: full_run(source_for(p), workdir / p) for p in presets}
    city = curve[big]
    copy = workdir / "incremental.sqlite"
    shutil.copyfile(source_for(big), copy)
    first = full_run(copy, workdir / "incremental")
    touched = touch_one_percent(copy)
    incremental = full_run(copy, workdir / "incremental")
    steps = [{"from": a, "to": b, "data_x": round(curve[b]["source_rows"] / curve[a]["source_rows"], 2),
              "time_x": round(curve[b]["seconds"] / curve[a]["seconds"], 2)} for a, b in pairwise(presets)]
    targets = [
        {"name": f"{big} end to end", "unit": "s", "value": city["seconds"], "limit": 150},
        {"name": f"{big} peak RSS", "unit": "MB", "value": city["peak_rss_mb"], "limit": 3072},
        {"name": f"4x data ({quarter} → {big}) time ratio", "unit": "x", "value": steps[-1]["time_x"],
         "limit": 4.2},
        {"name": "incremental (1 % touched) / full run", "unit": "x",
         "value": round(incremental["seconds"] / first["seconds"], 3), "limit": 0.25},
        {"name": f"validation (GX + dbt tests + volume gate) / {big} run", "unit": "x",
         "value": round((city["validation_seconds"] or 0) / city["seconds"], 3), "limit": 0.20},
    ]
    for t in targets:
        t["met"] = t["value"] <= t["limit"]
    return {"kind": "absolute", "targets": targets,
            "details": {**curve, "scaling_curve": steps, "incremental_first": first, "incremental": incremental,
                        "incremental_touched_rows": touched}}
