"""Re-identification risk of the marts: measured, enforced before publishing, reported.

Each mart declares in its dbt ``meta`` (one place) its quasi-identifiers, its
sensitive attributes, who it is released to and, for individual-level marts,
the column holding the person's token.  Thresholds live in ``dbt_project.yml``
(``vars.risk`` and ``min_cell_size``), read here and by the SQL.

Generalisation follows hierarchies built from the seeds (age band → coarse →
broad → ``*``; district → city → province → ``*``), so an attacker who knows
the seeds generalises their own knowledge the same way.  The level a published
mart is at is read off its values, so the attacks need no state from the run
that built it.

The metrics are ARX's (El Emam's definitions): prosecutor risk from the
mart's own class sizes, journalist and marketer risk against the population
of everyone on the platform aged 14 or over, derived from the vault.
pycanon and anonymeter were the candidates for this; neither installs beside
our stack (anonymeter needs numpy < 1.27, pycanon pins numpy 2.0.2; we run
2.4), and both work on pandas frames in memory where this is SQL over DuckDB,
so the metrics and both attacks are written here after their definitions.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from anonymizer.errors import AnonymizerError

STAR = "*"
SIZE_BUCKETS = ((1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, None))

# Generalisation hierarchies: level L of a quasi-identifier as SQL over a relation
# ``b`` that holds the level-0 columns, joined to the seeds (``ab``, ``cp``).
LEVELS: dict[str, tuple[str, ...]] = {
    "age_band": ("b.age_band", "ab.age_band_coarse", "ab.age_band_broad"),
    "sex": ("b.sex",),
    "district_name": ("b.district_name", "b.city_name", "cp.province_name"),
    "city_name": ("b.city_name", "cp.province_name"),
}
LOOKUPS = {
    "ab": "LEFT JOIN {ref}.age_bands AS ab ON ab.age_band = b.age_band",
    "cp": ("LEFT JOIN (SELECT city_name, any_value(province_name) AS province_name FROM {ref}.regions "
           "WHERE city_name IS NOT NULL GROUP BY 1) AS cp ON cp.city_name = b.city_name"),
}


class RiskGateFailed(AnonymizerError):
    """A mart still fails its re-identification thresholds after generalisation and suppression."""


@dataclass(frozen=True)
class Policy:
    k_analysts: int
    k_shared: int
    max_suppression: float
    linkage_max_rate: float
    linkage_sample: int
    attacks: int

    def k_for(self, release: str) -> int:
        return self.k_analysts if release == "analysts" else self.k_shared


def load_policy(project_dir: Path) -> Policy:
    v = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
    r = v["risk"]
    return Policy(int(r["k_analysts"]), int(v["min_cell_size"]), float(r["max_suppression"]),
                  float(r["linkage_max_rate"]), int(r["linkage_sample"]), int(r["attacks"]))


@dataclass(frozen=True)
class Mart:
    schema: str
    name: str
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...] = ()
    individual_level: bool = True
    release: str = "analysts"  # analysts | shared
    key: str | None = None  # the person token column: what the attacks link to
    unit: str | None = None  # the column counted as one individual in a class (else rows)
    cell_count: str | None = None  # aggregates: the column counting people in a cell
    secret: str | None = None  # individual marts: the attribute the inference attack guesses

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


def load_marts(project_dir: Path) -> list[Mart]:
    """Marts that declare quasi-identifiers, from ``models/marts/<schema>/*.yml``."""
    marts = []
    for path in sorted((project_dir / "models" / "marts").glob("*/*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            meta = model.get("config", {}).get("meta", {})
            qis = tuple(meta.get("quasi_identifiers") or ())
            if not qis:
                continue
            marts.append(Mart(path.parent.name, model["name"], qis, tuple(meta.get("sensitive") or ()),
                              bool(meta.get("individual_level")), meta.get("release", "analysts"),
                              meta.get("person_key"), meta.get("unit_key") or meta.get("person_key"),
                              meta.get("cell_count"), meta.get("inference_secret")))
    return marts


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Measure:
    """One mart at one moment (before or after treatment)."""

    rows: int
    suppressed: int
    classes: int
    k: int | None
    k_required: int
    sample_unique_share: float
    prosecutor_max: float
    prosecutor_avg: float
    records_at_risk: float  # share of records in classes smaller than k_required
    journalist_max: float | None = None
    marketer: float | None = None
    l_diversity: dict[str, int] = field(default_factory=dict)
    histogram: dict[str, int] = field(default_factory=dict)  # class size bucket → records


def _bucket_label(lo: int, hi: int | None) -> str:
    return f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}")


def _bucket_sql(col: str) -> str:
    arms = " ".join(f"WHEN {col} BETWEEN {lo} AND {hi} THEN '{_bucket_label(lo, hi)}'"
                    for lo, hi in SIZE_BUCKETS if hi is not None)
    lo = SIZE_BUCKETS[-1][0]
    return f"CASE {arms} ELSE '{_bucket_label(lo, None)}' END"


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def not_suppressed(qis: tuple[str, ...], alias: str = "") -> str:
    """A row not suppressed: some QI is not ``*`` (a non-text QI is suppressed to NULL)."""
    return "NOT (" + " AND ".join(f"coalesce({alias}{_q(c)}::VARCHAR, '{STAR}') = '{STAR}'" for c in qis) + ")"


def measure(con: duckdb.DuckDBPyConnection, mart: Mart, relation: str, k_required: int,
            population: str | None = None) -> Measure:
    """Class sizes and ARX risks of ``relation`` (``population``: a relation with the same QI columns)."""
    qis = mart.quasi_identifiers
    cols = ", ".join(_q(c) for c in qis)
    if mart.cell_count:  # an aggregate: each row is a cell, its count column the class size
        size, where = f"{_q(mart.cell_count)}", f"{_q(mart.cell_count)} IS NOT NULL"
        classes_sql = f"SELECT {cols}, sum({size})::BIGINT AS f FROM {relation} WHERE {where} GROUP BY ALL"
        total = con.execute(f"SELECT count(*), count(*) FILTER (WHERE NOT ({where})) FROM {relation}").fetchone()
        rows, suppressed = int(total[0]), int(total[1])
    else:
        f = f"count(DISTINCT {_q(mart.unit)})" if mart.unit else "count(*)"  # people, not rows
        classes_sql = f"SELECT {cols}, {f} AS f FROM {relation} WHERE {not_suppressed(qis)} GROUP BY ALL"
        rows, suppressed = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT {not_suppressed(qis)}) FROM {relation}").fetchone()
    n, j, kmin, uniq, at_risk = con.execute(
        f"SELECT coalesce(sum(f), 0), count(*), min(f), coalesce(sum(f) FILTER (WHERE f = 1), 0), "
        f"coalesce(sum(f) FILTER (WHERE f < {k_required}), 0) FROM ({classes_sql})").fetchone()
    n = int(n)
    m = Measure(
        rows=int(rows), suppressed=int(suppressed), classes=int(j), k=int(kmin) if kmin is not None else None,
        k_required=k_required, sample_unique_share=uniq / n if n else 0.0,
        prosecutor_max=1 / kmin if kmin else 0.0, prosecutor_avg=j / n if n else 0.0,
        records_at_risk=at_risk / n if n else 0.0)
    buckets = dict(con.execute(
        f"SELECT {_bucket_sql('f')} AS b, sum(f)::BIGINT FROM ({classes_sql}) GROUP BY 1").fetchall())
    m.histogram = {_bucket_label(lo, hi): int(buckets.get(_bucket_label(lo, hi), 0)) for lo, hi in SIZE_BUCKETS}
    if population and n:
        on = " AND ".join(f"p.{_q(c)}::VARCHAR IS NOT DISTINCT FROM s.{_q(c)}::VARCHAR" for c in qis)
        jmax, marketer = con.execute(
            f"""WITH s AS ({classes_sql}),
                pc AS (SELECT {cols}, count(*) AS big_f FROM {population} GROUP BY ALL)
            SELECT max(1.0 / greatest(coalesce(p.big_f, s.f), s.f)), sum(s.f / greatest(coalesce(p.big_f, s.f), s.f)) / {n}
            FROM s LEFT JOIN pc AS p ON {on}""").fetchone()
        m.journalist_max, m.marketer = float(jmax), float(marketer)
    for attr in mart.sensitive:
        l_min = con.execute(
            f"SELECT min(l) FROM (SELECT {cols}, count(DISTINCT {_q(attr)}) AS l FROM {relation} GROUP BY ALL)"
        ).fetchone()[0]
        m.l_diversity[attr] = int(l_min or 0)
    return m


# --- the population an attacker faces, from the vault --------------------------------------------


def create_population(con: duckdb.DuckDBPyConnection, as_of: date, ref: str = "wh.reference") -> int:
    """TEMP ``risk_population``: everyone aged 14+ with what a leaked list would hold, and their token.

    A leaked membership list gives name, sex, birth date and district; those are
    taken from the vault's raw rows (declared sex and birthday, district from the
    ID's area code).  Names are not needed to link and are not copied.  The
    token comes from the vault's token map, as ground truth for the attacks.
    Needs ``norm_person`` (the token macros) on ``con``.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE risk_population AS
        WITH p AS (
            SELECT t.token AS person_key, p.sex, p.birthday AS birth_date,
                   date_diff('year', p.birthday, DATE '{as_of}')
                     - CASE WHEN strftime(p.birthday, '%m%d') > strftime(DATE '{as_of}', '%m%d') THEN 1 ELSE 0 END AS age,
                   CASE WHEN p.id_type = '居民身份证' THEN substr(p.id_number, 1, 6) END AS region_code
            FROM vault.raw.insured_persons AS p
            JOIN vault.tokens.person AS t ON t.value = norm_person(p.id_type || '|' || upper(p.id_number)))
        SELECT p.person_key, p.sex, p.birth_date, ab.age_band,
               r.region_name AS district_name, r.city_name
        FROM p
        LEFT JOIN {ref}.age_bands AS ab ON p.age BETWEEN ab.min_age AND ab.max_age
        LEFT JOIN {ref}.regions AS r ON r.region_code = p.region_code
        WHERE p.age >= 14"""
    )
    return con.execute("SELECT count(*) FROM risk_population").fetchone()[0]


def levelled(relation: str, qis: tuple[str, ...], ref: str, extra: str = "") -> str:
    """``relation`` with ``<qi>__<L>`` columns for every hierarchy level of each QI."""
    exprs = [(f"{qi}__{i}", expr) for qi in qis for i, expr in enumerate(LEVELS.get(qi, (f"b.{_q(qi)}",)))]
    cols = [f"{expr}::VARCHAR AS {_q(name)}" for name, expr in exprs]
    lookups = " ".join(sql.format(ref=ref) for alias, sql in LOOKUPS.items()
                       if any(expr.startswith(alias + ".") for _, expr in exprs))
    return f"SELECT b.rowid AS rid{', ' + extra if extra else ''}, {', '.join(cols)} FROM {relation} AS b {lookups}"


def depth(qi: str) -> int:
    """Levels of a QI's hierarchy below ``*`` (a QI without one cannot be generalised)."""
    return len(LEVELS.get(qi, ("",)))


def _level_expr(qi: str, level: int) -> str:
    return f"'{STAR}'" if level >= depth(qi) and qi in LEVELS else _q(f"{qi}__{level}")


def infer_levels(con: duckdb.DuckDBPyConnection, mart: Mart, relation: str) -> dict[str, int]:
    """The hierarchy level each QI of a built mart is at, read off its values."""
    levels = {}
    for qi in mart.quasi_identifiers:
        if qi not in LEVELS:
            levels[qi] = 0
            continue
        levels[qi] = depth(qi)  # all '*' (or empty)
        values = f"SELECT DISTINCT {_q(qi)}::VARCHAR AS v FROM {relation} " \
                 f"WHERE {_q(qi)} IS NOT NULL AND {_q(qi)}::VARCHAR NOT IN ('{STAR}', '未知')"
        if not con.execute(f"SELECT count(*) FROM ({values})").fetchone()[0]:
            continue
        for i in range(depth(qi)):
            outside = con.execute(
                f"SELECT count(*) FROM ({values}) WHERE v NOT IN (SELECT {_q(f'{qi}__{i}')} "
                f"FROM risk_population_levels WHERE {_q(f'{qi}__{i}')} IS NOT NULL)").fetchone()[0]
            if outside == 0:
                levels[qi] = i
                break
    return levels


def population_levels(con: duckdb.DuckDBPyConnection, qis: set[str], ref: str) -> None:
    available = [q for q in qis if q in LEVELS or q == "birth_date"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE risk_population_levels AS "
                f"{levelled('risk_population', tuple(available), ref, 'b.person_key')}")


def _population_view(mart: Mart, levels: dict[str, int]) -> str | None:
    """The population generalised like ``mart`` (None when the attacker cannot know all its QIs)."""
    if not all(q in LEVELS or q == "birth_date" for q in mart.quasi_identifiers):
        return None
    cols = ", ".join(f"{_level_expr(q, levels[q])} AS {_q(q)}" for q in mart.quasi_identifiers)
    return f"(SELECT person_key, {cols} FROM risk_population_levels)"


# --- treatment: generalise, then suppress ---------------------------------------------------------


@dataclass
class Treatment:
    levels: dict[str, int]
    suppressed: int
    actions: list[str]


def _size(mart: Mart) -> str:
    return "count(DISTINCT unit)" if mart.unit else "count(*)"


def _needed(con: duckdb.DuckDBPyConnection, mart: Mart, levels: dict[str, int], k: int) -> int:
    """Individuals in classes smaller than ``k`` at ``levels``."""
    cols = ", ".join(_level_expr(q, levels[q]) for q in mart.quasi_identifiers)
    return con.execute(f"SELECT coalesce(sum(f) FILTER (WHERE f < {k}), 0) FROM "
                       f"(SELECT {_size(mart)} AS f FROM risk_base GROUP BY {cols})").fetchone()[0]


def _loss(levels: dict[str, int]) -> float:
    """Generalisation height, each QI's level as a share of its hierarchy (Sweeney's precision loss)."""
    return sum(level / depth(q) for q, level in levels.items() if q in LEVELS)


def treat(con: duckdb.DuckDBPyConnection, mart: Mart, relation: str, k: int, max_suppression: float,
          ref: str) -> Treatment:
    """Generalise ``relation`` in place as little as possible so that suppressing its small classes
    costs at most ``max_suppression`` of its individuals, then suppress them (every QI set to ``*``).

    The lattice of hierarchy levels is searched in order of information loss (as
    ARX does, without its pruning: a mart has two to four QIs, a few dozen
    nodes); among the least-loss nodes that qualify, the one suppressing fewest
    wins.  When none qualifies the top node is used; the gate then reports the mart.
    """
    unit = f"b.{_q(mart.unit)} AS unit" if mart.unit else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE risk_base AS {levelled(relation, mart.quasi_identifiers, ref, unit)}")
    n = con.execute(f"SELECT {_size(mart)} FROM risk_base").fetchone()[0]
    qis = mart.quasi_identifiers
    nodes = [dict(zip(qis, node, strict=True)) for node in
             itertools.product(*(range(depth(q) + 1) if q in LEVELS else (0,) for q in qis))]
    nodes.sort(key=_loss)
    best: tuple[int, dict[str, int]] | None = None
    for levels in nodes:
        if best and _loss(levels) > _loss(best[1]):
            break
        needed = _needed(con, mart, levels, k)
        if needed <= max_suppression * n and (best is None or needed < best[0]):
            best = (needed, levels)
    needed, levels = best or (_needed(con, mart, nodes[-1], k), nodes[-1])
    actions = [f"generalised {q} to level {lv} ({'*' if lv >= depth(q) else LEVELS[q][lv].split('.')[-1]})"
               for q, lv in levels.items() if lv]
    if any(levels.values()) or needed:
        cols = ", ".join(_level_expr(q, levels[q]) for q in qis)
        sets = ", ".join(f"{_q(q)} = CASE WHEN t.small THEN {_star(con, relation, q)} ELSE t.{_q(q)} END"
                         for q in qis)
        named = ", ".join(f"{_level_expr(q, levels[q])} AS {_q(q)}" for q in qis)
        con.execute(
            f"""UPDATE {relation} AS m SET {sets}
            FROM (SELECT rid, {named}, {_size(mart)} OVER (PARTITION BY {cols}) < {k} AS small FROM risk_base) AS t
            WHERE m.rowid = t.rid""")
        if needed:
            actions.append(f"suppressed {needed:,} of {n:,} ({needed / n:.1%}) in classes smaller than {k}")
    return Treatment(levels, int(needed), actions)


def _star(con: duckdb.DuckDBPyConnection, relation: str, qi: str) -> str:
    schema, table = relation.split(".")[-2:]
    dtype = con.execute("SELECT data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                        "AND column_name = ?", [schema, table, qi]).fetchone()
    return f"'{STAR}'" if dtype and dtype[0] == "VARCHAR" else "NULL"


# --- attacks ---------------------------------------------------------------------------------------


@dataclass
class Attacks:
    linkage_targets: int = 0
    linkage_unique_matches: int = 0
    linkage_correct_unique: int = 0
    linkage_rate: float = 0.0
    singling_out_train: float | None = None
    singling_out_control: float | None = None
    singling_out_risk: float | None = None
    inference_secret: str | None = None
    inference_train: float | None = None
    inference_control: float | None = None
    inference_risk: float | None = None


def _anonymeter_risk(train: float, control: float) -> float:
    """anonymeter's risk: the attack's success on the released half beyond its success on the control half."""
    return 0.0 if control >= 1 else max(0.0, (train - control) / (1 - control))


def linkage_attack(con: duckdb.DuckDBPyConnection, mart: Mart, relation: str, pop: str, sample: int) -> Attacks:
    """Link a leaked list (a sample of the population) to ``relation`` on its generalised QIs.

    Counts targets who match exactly one released record, and those for whom that
    record really is them (its token is theirs): the correct-unique rate.
    """
    qis = mart.quasi_identifiers
    on = " AND ".join(f"a.{_q(c)} = r.{_q(c)}::VARCHAR" for c in qis)
    targets, unique, correct = con.execute(
        f"""WITH a AS (SELECT * FROM {pop} ORDER BY hash(person_key, 'linkage') LIMIT {sample}),
            r AS (SELECT * FROM {relation} WHERE {not_suppressed(qis)}),
            m AS (SELECT a.person_key AS target, count(*) AS matches, any_value(r.{_q(mart.key)}) AS matched
                  FROM a JOIN r ON {on} GROUP BY 1)
        SELECT (SELECT count(*) FROM a), count(*) FILTER (WHERE matches = 1),
               count(*) FILTER (WHERE matches = 1 AND matched = target) FROM m""").fetchone()
    return Attacks(int(targets), int(unique), int(correct), correct / targets if targets else 0.0)


def evaluation_attacks(con: duckdb.DuckDBPyConnection, mart: Mart, relation: str, pop: str, n: int,
                       result: Attacks) -> None:
    """Singling out and inference as anonymeter evaluates them, against a control half.

    The population is split in two by a hash of the token; the release is the
    mart's rows of the first half ("train").  Singling out: each of ``n`` released
    records' QI values, used as a predicate, succeeds when it selects exactly one
    person of a half.  Inference: the attacker knows a target's QIs and guesses
    the secret attribute as the most common one among matching released records.
    Success on the train half beyond the control half is the risk.
    """
    qis, key = mart.quasi_identifiers, _q(mart.key)
    cols = ", ".join(_q(c) for c in qis)
    on = " AND ".join(f"x.{_q(c)}::VARCHAR = y.{_q(c)}::VARCHAR" for c in qis)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW risk_split AS
        SELECT *, hash(person_key, 'split') % 2 = 0 AS is_train FROM {pop}""")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW risk_release AS
        SELECT r.* FROM {relation} AS r JOIN risk_split AS s ON s.person_key = r.{key}
        WHERE s.is_train AND {not_suppressed(qis, 'r.')}""")
    rates = con.execute(
        f"""WITH p AS (SELECT DISTINCT {cols} FROM risk_release ORDER BY hash({cols}) LIMIT {n}),
            c AS (SELECT {cols}, count(*) FILTER (WHERE is_train) AS ft, count(*) FILTER (WHERE NOT is_train) AS fc
                  FROM risk_split GROUP BY ALL)
        SELECT avg(CASE WHEN y.ft = 1 THEN 1 ELSE 0 END), avg(CASE WHEN y.fc = 1 THEN 1 ELSE 0 END)
        FROM p AS x LEFT JOIN c AS y ON {on}""").fetchone()
    if rates[0] is not None:
        result.singling_out_train, result.singling_out_control = float(rates[0]), float(rates[1])
        result.singling_out_risk = _anonymeter_risk(*map(float, rates))
    if not mart.secret:
        return
    secret = _q(mart.secret)
    rates = con.execute(
        f"""WITH guesses AS (SELECT {cols}, mode({secret}) AS guess FROM risk_release GROUP BY ALL),
            fallback AS (SELECT mode({secret}) AS guess FROM risk_release),
            truth AS (SELECT s.person_key, s.is_train, r.{secret} AS secret, {', '.join(f's.{_q(c)}' for c in qis)}
                      FROM {relation} AS r JOIN risk_split AS s ON s.person_key = r.{key}),
            targets AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY is_train
                        ORDER BY hash(person_key, 'inference')) AS i FROM truth) WHERE i <= {n})
        SELECT avg(CASE WHEN coalesce(y.guess, f.guess) IS NOT DISTINCT FROM x.secret THEN 1 ELSE 0 END)
               FILTER (WHERE x.is_train),
               avg(CASE WHEN coalesce(y.guess, f.guess) IS NOT DISTINCT FROM x.secret THEN 1 ELSE 0 END)
               FILTER (WHERE NOT x.is_train)
        FROM targets AS x CROSS JOIN fallback AS f LEFT JOIN guesses AS y ON {on}""").fetchone()
    if rates[0] is not None and rates[1] is not None:
        result.inference_secret = mart.secret
        result.inference_train, result.inference_control = float(rates[0]), float(rates[1])
        result.inference_risk = _anonymeter_risk(*map(float, rates))


# --- the release gate ------------------------------------------------------------------------------


@dataclass
class MartReport:
    mart: str
    release: str
    quasi_identifiers: list[str]
    sensitive: list[str]
    k_required: int
    levels: dict[str, int]
    before: Measure | None
    after: Measure
    actions: list[str]
    attacks: Attacks | None
    failures: list[str]


def assess(con: duckdb.DuckDBPyConnection, marts: list[Mart], policy: Policy, wh: str = "wh",
           treat_marts: bool = True) -> list[MartReport]:
    """Measure (and with ``treat_marts`` generalise and suppress) every mart, then attack it.

    Needs ``risk_population`` on ``con`` and the warehouse attached as ``wh``.
    """
    ref = f"{wh}.reference"
    population_levels(con, {q for m in marts for q in m.quasi_identifiers}, ref)
    reports = []
    for mart in marts:
        relation, k = f"{wh}.{mart.relation}", policy.k_for(mart.release)
        before, actions, levels = None, [], None
        if treat_marts and mart.individual_level and not mart.cell_count:
            before = measure(con, mart, relation, k)
            treatment = treat(con, mart, relation, k, policy.max_suppression, ref)
            actions, levels = treatment.actions, treatment.levels
        levels = levels or infer_levels(con, mart, relation)
        pop = _population_view(mart, levels)
        after = measure(con, mart, relation, k, pop if mart.key else None)  # population: people, by token
        failures = []
        if after.k is not None and after.k < k:
            failures.append(f"k = {after.k} < {k}")
        if after.rows and after.suppressed / after.rows > policy.max_suppression and not mart.cell_count:
            failures.append(f"{after.suppressed / after.rows:.1%} of rows suppressed > {policy.max_suppression:.0%}")
        attacks = None
        if mart.key and pop:
            attacks = linkage_attack(con, mart, relation, pop, policy.linkage_sample)
            evaluation_attacks(con, mart, relation, pop, policy.attacks, attacks)
            if attacks.linkage_rate >= policy.linkage_max_rate:
                failures.append(f"linkage attack: {attacks.linkage_rate:.2%} correct unique matches "
                                f"≥ {policy.linkage_max_rate:.0%}")
        reports.append(MartReport(mart.relation, mart.release, list(mart.quasi_identifiers), list(mart.sensitive),
                                  k, levels, before, after, actions, attacks, failures))
    return reports


def gate(reports: list[MartReport]) -> None:
    failing = [r for r in reports if r.failures]
    if failing:
        raise RiskGateFailed("re-identification risk too high, nothing was published: "
                             + "; ".join(f"{r.mart}: {', '.join(r.failures)}" for r in failing))


def summary_json(reports: list[MartReport], run_id: str, as_of: date, policy: Policy) -> dict[str, Any]:
    return {"run_id": run_id, "as_of": as_of.isoformat(), "policy": asdict(policy),
            "passed": not any(r.failures for r in reports), "marts": [asdict(r) for r in reports]}


def write_report(summary: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """``risk.json`` and ``risk.html`` (charts drawn by the page from the JSON it embeds)."""
    from anonymizer.risk_html import render

    out_dir.mkdir(parents=True, exist_ok=True)
    js, html = out_dir / "risk.json", out_dir / "risk.html"
    js.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    html.write_text(render(summary))
    return js, html
