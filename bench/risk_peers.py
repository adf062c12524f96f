"""Re-identification metrics and attacks (issue 7) beside pycanon and anonymeter, at city scale.

Neither peer installs beside the project (anonymeter needs numpy < 1.27,
pycanon pins numpy 2.0.2; we run 2.4), so each gets its own virtualenv under
``.bench-cache/`` and reads the same table as a Parquet file.  The table is a
synthetic customer dimension shaped like ``profile.dim_customers`` at city size:
2.3M people, three quarters in 无锡市, the rest spread over the country's
districts from ``seeds/regions.csv``.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
PEERS = {"pycanon": "pycanon==1.3.6", "anonymeter": "anonymeter==1.1.0"}
QIS = ("age_band", "sex", "city_name", "district_name")
SECRET = "acquisition_channel"

PYCANON = """
import json, sys, time
import pandas as pd
from pycanon import anonymity
df = pd.read_parquet(sys.argv[1])
qi = {qis}
t = time.perf_counter(); k = anonymity.k_anonymity(df, qi); tk = time.perf_counter() - t
t = time.perf_counter(); l = anonymity.l_diversity(df, qi, ["{secret}"]); tl = time.perf_counter() - t
print(json.dumps({{"k": int(k), "l": int(l), "k_seconds": tk, "l_seconds": tl}}))
"""

ANONYMETER = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from anonymeter.evaluators import InferenceEvaluator, SinglingOutEvaluator
df = pd.read_parquet(sys.argv[1])
qi = {qis}
half = df["person_key"].map(hash) % 2 == 0
ori, ctl = df[half][qi + ["{secret}"]], df[~half][qi + ["{secret}"]]
t = time.perf_counter()
so = SinglingOutEvaluator(ori=ori, syn=ori, control=ctl, n_attacks=500, max_attempts=5000).evaluate(mode="multivariate")
ts = time.perf_counter() - t
t = time.perf_counter()
inf = InferenceEvaluator(ori=ori, syn=ori, control=ctl, aux_cols=qi, secret="{secret}", n_attacks=500).evaluate(n_jobs=2)
ti = time.perf_counter() - t
print(json.dumps({{"singling_out_seconds": ts, "inference_seconds": ti,
                  "singling_out_risk": so.risk().value, "inference_risk": inf.risk().value}}))
"""


def customers(con: duckdb.DuckDBPyConnection, n: int, seed: int = 7) -> None:
    """TEMP ``bench_customers`` and ``reference.*`` (the seeds), like the warehouse has them."""
    con.execute("CREATE SCHEMA IF NOT EXISTS reference")
    con.execute(f"CREATE OR REPLACE TABLE reference.age_bands AS SELECT * FROM read_csv('{ROOT / 'seeds/age_bands.csv'}')")
    con.execute(f"CREATE OR REPLACE TABLE reference.regions AS SELECT * FROM read_csv('{ROOT / 'seeds/regions.csv'}', "
                "all_varchar = true)")
    with (ROOT / "seeds" / "regions.csv").open(encoding="utf-8") as f:
        districts = [(r["region_name"], r["city_name"]) for r in csv.DictReader(f)
                     if r["region_level"] == "district" and r["is_current"] == "true" and r["city_name"]]
    wuxi = [d for d in districts if d[1] == "无锡市"]
    bands = [r[0] for r in con.execute("SELECT age_band FROM reference.age_bands WHERE min_age >= 14").fetchall()]
    channels = ["线下扫码", "短信邀请", "社区推广", "公众号关注", "朋友分享", "企业团单"]
    rng = random.Random(f"bench-customers:{seed}")
    cols: dict[str, list[str]] = {c: [] for c in ("person_key", *QIS, SECRET)}
    for i in range(n):
        district, city = rng.choice(wuxi) if rng.random() < 0.75 else rng.choice(districts)
        for c, v in zip(cols, (f"psn_{i:032x}", rng.choices(bands, weights=[2, 9, 14, 16, 15, 14, 10, 6])[0],
                               rng.choice("男女"), city, district, rng.choice(channels)), strict=True):
            cols[c].append(v)
    con.register("_customers", pa.table(cols))
    con.execute("CREATE OR REPLACE TABLE bench_customers AS SELECT * FROM _customers")
    con.unregister("_customers")


def _venv(name: str) -> Path:
    env = ROOT / ".bench-cache" / f"venv-{name}"
    python = env / "bin" / "python"
    if not python.exists():
        print(f"[bench]   creating {env} for {PEERS[name]}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEERS[name], "pyarrow"], check=True)
    return python


def _peer(name: str, script: str, parquet: Path) -> dict:
    out = subprocess.run([str(_venv(name)), "-c", script.format(qis=list(QIS), secret=SECRET), str(parquet)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ours(con: duckdb.DuckDBPyConnection) -> dict:
    """The gate's own measure (k over people) and its attack suite (ID-card knowledge, 1,000 targets)."""
    from anonymizer import attacks, hierarchy, release, risk

    mart = release.Mart("main", "bench_customers", QIS, (*QIS, SECRET), truth="bench_customers",
                     truth_key="person_key")
    adversary = attacks.Adversary("ID card", {"id_card": ("sex, birth date, ID region", QIS)}, (("id_card",),))
    t = time.perf_counter()
    con.execute("CREATE OR REPLACE TEMP TABLE risk_base AS "
                + hierarchy.levelled("bench_customers", QIS, "reference", "person_key"))
    m = risk.measure(con, QIS, {q: 0 for q in QIS}, 5)
    tm = time.perf_counter() - t
    t = time.perf_counter()
    (attack,) = attacks.run_suite(con, mart, "bench_customers", adversary, 1000)
    ta = time.perf_counter() - t
    return {"k": m.k, "measure_seconds": tm, "attacks_seconds": ta, "id_card_attack_rate": attack["after"]}


def risk_metrics(workdir: Path, n: int) -> dict:
    con = duckdb.connect(str(workdir / "risk.duckdb"))
    customers(con, n)
    parquet = workdir / "customers.parquet"
    con.execute(f"COPY bench_customers TO '{parquet}' (FORMAT parquet)")
    mine = ours(con)
    canon = _peer("pycanon", PYCANON, parquet)
    meter = _peer("anonymeter", ANONYMETER, parquet)
    con.close()
    ours_s = mine["measure_seconds"] + mine["attacks_seconds"]
    peer_s = canon["k_seconds"] + meter["singling_out_seconds"]
    return {
        "unit": "s", "ours": {"label": "anonymizer.risk measure (k over people, histogram, prosecutor risk) + "
                              "the attack suite's ID-card attack on 1,000 targets, SQL in DuckDB", "value": ours_s},
        "peer": {"label": "pycanon k-anonymity + anonymeter singling-out (multivariate, 500 attacks)",
                 "value": peer_s},
        "ratio": peer_s / ours_s, "target": {"ratio_at_least": 1, "met": ours_s <= peer_s},
        "details": {"rows": n, "ours": mine, "pycanon": canon, "anonymeter": meter},
    }
