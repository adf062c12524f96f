"""The release against its adversary (issue 16), on `small` with a seed never tuned on.

A fresh `small` source (seed HELD_OUT: the gate, hierarchies and weights were
tuned on other seeds and never looked at this one) goes through the real
`yihui run`; the figures are the run's own risk report (every attack of the
suite, untreated and released, and the information lost) and the held-out
attack of ``tests/heldout_attack.py``, which shares no code with the gate,
against the published file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

HELD_OUT = 20261203


def release_attacks(workdir: Path, preset: str = "small") -> dict:
    from core.settings import resolve
    from pipelines.build import release_as_of
    from pipelines.generate import generate
    from pipelines.release_risk import report_dir
    from pipelines.run import run
    from pipelines.source import Source
    from tests.heldout_attack import attack_customers, attack_policies
    from vault.session import open_session

    settings = resolve(data_dir=str(workdir / "release"))
    generate(Source.parse(settings.source), preset, HELD_OUT)
    start = time.perf_counter()
    summary = run(settings, log=lambda m: None)
    seconds = time.perf_counter() - start
    report = json.loads((report_dir(settings) / "risk.json").read_text())
    attacks = [{"mart": m["mart"], "knowledge": a["knowledge"], "targets": a["targets"],
                "untreated": a["before"], "released": a["after"]}
               for m in report["marts"] for a in m["attacks"]]
    loss = {m["mart"]: {**m["information_loss"], "released_levels": m["released_levels"],
                        "suppressed": (m["after"] or {}).get("suppressed"), "cells": m["cells"]}
            for m in report["marts"]}
    as_of = release_as_of(settings.layout.warehouse_path).isoformat()
    _key, con = open_session(settings)
    try:
        con.execute(f"ATTACH '{settings.layout.warehouse_path}' AS rel (READ_ONLY)")
        held_out = {f"dim_customers, id_card{' + registration' if reg else ''}":
                    attack_customers(con, as_of, with_registration=reg) for reg in (False, True)}
        held_out["fct_policies, id_card + one policy"] = attack_policies(con, as_of)
    finally:
        con.close()
    worst = max(a["released"] for a in attacks)
    return {
        "kind": "absolute",
        "targets": [
            {"name": "worst attack of the suite, released", "unit": "share", "value": worst,
             "limit": 0.01, "met": worst < 0.01},
            *({"name": f"held-out attack, {k}", "unit": "share", "value": hit / n, "limit": 0.01, "met": hit / n < 0.01}
              for k, (n, hit) in held_out.items()),
        ],
        "details": {"preset": preset, "seed": HELD_OUT, "run_seconds": round(seconds, 1),
                    "gate_seconds": round(summary.stage_seconds.get("risk gate", 0.0), 1),
                    "attacks": attacks, "information_loss": loss,
                    "held_out": {k: {"targets": n, "reidentified": hit} for k, (n, hit) in held_out.items()}},
    }
