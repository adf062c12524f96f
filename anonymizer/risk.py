"""The re-identification gate: the release is assessed as a whole before it is published.

What is judged is the release file dbt built (``anonymizer.release``): it holds
no join key (the build refuses a column of class ``key``), so what an analyst
can join is exactly its relations side by side, and each one is judged on its
own against the README's adversary (``adversary.yml``).

* **Individual-level marts** (``meta.individual_level``) declare ``truth``, the
  intermediate model in the build database they are released from, with the
  token (``truth_key``) the gate needs as ground truth.  The gate levels a copy
  of it along the hierarchies (age band → coarse → broad; district → city →
  province; day → ISO week → month → quarter → year, ``seeds/calendar.csv``;
  any other quasi-identifier straight to ``*``), suppresses the people left in
  classes smaller than k (every quasi-identifier of their rows to ``*``, or NULL
  in a number or flag), and rewrites the released mart from it.  k counts
  people (distinct truth keys), not rows, so a person with several policies in
  one class counts once.  A mart whose rows are events, several per person
  (``fct_service_notes``: one row per note), declares ``suppressed_rows: withheld``:
  its suppressed rows are left out of the release instead of starred, since their
  other columns (the note's text) would show what the stars hide.
* **Redacted free text** (``meta.redacted_text``, the columns holding it): the gate
  counts the placeholders of ``anonymizer.redact.PLACEHOLDERS`` per type in what is
  released (in SQL), the rows released and withheld, and runs the redactor's
  detectors over the released text again: a validated identifier still found there
  (``REFUSED_RESIDUAL``) refuses the release, named by mart, column and type, never by value.
* **Aggregates** (``meta.cell_count``) suppress their small cells in SQL (one
  macro, ``unless_small_cell``); the gate checks every published cell again.
* The **attack suite** (``attacks.py``) then attacks what will be published, and
  the gate refuses the release when a mart misses k, suppresses more than
  ``max_suppression`` of its people, or any attack re-identifies
  ``linkage_max_rate`` or more of its targets.

The search is greedy over the lattice of hierarchy levels (ARX's full search is
out of reach with a dozen quasi-identifiers): from the finest node it takes the
step that spares the most suppression per unit of information lost, until the
suppression budget holds, then gives back every step the budget does not need.
Class sizes are counted in SQL over the whole mart, never per person in Python.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from anonymizer.errors import AnonymizerError
from anonymizer.hierarchy import STAR, at, class_key, depth, level_name, levelled, quote
from anonymizer.release import Mart

SIZE_BUCKETS = ((1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, None))

# Identifier kinds of anonymizer.redact whose detectors validate what they find (a check
# character, Luhn, a fixed shape): one still found in released text refuses the release.
# Other kinds found again (a name or an address the detectors guess from context) are
# reported, not refused: over text that already holds placeholders they are mostly words.
REFUSED_RESIDUAL = ("ID", "MOBILE", "CARD", "EMAIL", "OPENID")


class RiskGateFailed(AnonymizerError):
    """The release still fails its re-identification thresholds after generalisation and suppression."""


@dataclass(frozen=True)
class Policy:
    k_analysts: int
    k_shared: int
    max_suppression: float
    linkage_max_rate: float
    linkage_sample: int

    def k_for(self, release: str) -> int:
        return self.k_analysts if release == "analysts" else self.k_shared


def load_policy(project_dir: Path) -> Policy:
    v = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
    r = v["risk"]
    return Policy(int(r["k_analysts"]), int(v["min_cell_size"]), float(r["max_suppression"]),
                  float(r["linkage_max_rate"]), int(r["linkage_sample"]))


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Measure:
    """An individual-level mart at one moment (before or after treatment), in people."""

    rows: int
    people: int
    suppressed: int  # people whose rows were suppressed
    classes: int
    k: int | None
    k_required: int
    sample_unique_share: float
    prosecutor_max: float
    prosecutor_avg: float
    records_at_risk: float  # share of people in classes smaller than k_required
    histogram: dict[str, int] = field(default_factory=dict)  # class size bucket → people


def _bucket_label(lo: int, hi: int | None) -> str:
    return f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}")


def _bucket_sql(col: str) -> str:
    arms = " ".join(f"WHEN {col} BETWEEN {lo} AND {hi} THEN '{_bucket_label(lo, hi)}'"
                    for lo, hi in SIZE_BUCKETS if hi is not None)
    return f"CASE {arms} ELSE '{_bucket_label(SIZE_BUCKETS[-1][0], None)}' END"


def _classes(qis: tuple[str, ...], levels: dict[str, int], suppressed: str = "FALSE") -> str:
    """Class sizes in people over ``risk_base`` at ``levels``, leaving out suppressed rows."""
    return (f"SELECT {class_key(qis, levels)} AS h, count(DISTINCT __unit) AS f FROM risk_base "
            f"WHERE NOT ({suppressed}) GROUP BY 1")


def _suppressed_classes(qis: tuple[str, ...], levels: dict[str, int], k: int, top_up: bool = True) -> str:
    """Classes to suppress at ``levels``: those of fewer than ``k`` people and, when they hold fewer
    than ``k`` people together, the next smallest until they do, or the suppressed rows would form
    a class of their own below k (a lone starred row is whoever no other row fits).  Rows that are
    withheld rather than starred form no class (``top_up`` False): only the small classes go."""
    if not top_up:
        return f"SELECT h FROM ({_classes(qis, levels)}) WHERE f < {k}"
    return f"""WITH c AS ({_classes(qis, levels)}),
        o AS (SELECT h, f, sum(f) OVER (ORDER BY f, h ROWS UNBOUNDED PRECEDING) - f AS before FROM c)
        SELECT h FROM o WHERE f < {k} OR (before < {k} AND EXISTS (SELECT 1 FROM c WHERE f < {k}))"""


def measure(con: duckdb.DuckDBPyConnection, qis: tuple[str, ...], levels: dict[str, int], k: int,
            suppressed: str = "FALSE") -> Measure:
    con.execute(f"CREATE OR REPLACE TEMP TABLE risk_classes AS {_classes(qis, levels, suppressed)}")  # read twice
    rows, people, supp = con.execute(
        f"SELECT count(*), count(DISTINCT __unit), count(DISTINCT __unit) FILTER (WHERE {suppressed}) "
        f"FROM risk_base").fetchone()
    n, j, kmin, uniq, at_risk = con.execute(
        f"SELECT coalesce(sum(f), 0), count(*), min(f), coalesce(sum(f) FILTER (WHERE f = 1), 0), "
        f"coalesce(sum(f) FILTER (WHERE f < {k}), 0) FROM risk_classes").fetchone()
    n = int(n)
    m = Measure(rows=int(rows), people=int(people), suppressed=int(supp), classes=int(j),
                k=int(kmin) if kmin is not None else None, k_required=k,
                sample_unique_share=uniq / n if n else 0.0, prosecutor_max=1 / kmin if kmin else 0.0,
                prosecutor_avg=j / n if n else 0.0, records_at_risk=at_risk / n if n else 0.0)
    buckets = dict(con.execute(f"SELECT {_bucket_sql('f')}, sum(f)::BIGINT FROM risk_classes GROUP BY 1").fetchall())
    con.execute("DROP TABLE risk_classes")
    m.histogram = {_bucket_label(lo, hi): int(buckets.get(_bucket_label(lo, hi), 0)) for lo, hi in SIZE_BUCKETS}
    return m


def information_loss(mart: Mart, levels: dict[str, int], suppressed: int, people: int) -> dict[str, float]:
    """Generalisation: each QI's level as a share of its hierarchy, averaged with the QIs' utility
    weights (Sweeney's precision loss, weighted as ARX does); suppression: the share of people
    whose quasi-identifiers were all withheld."""
    total = sum(mart.weight(q) for q in levels)
    gen = sum(mart.weight(q) * lv / depth(q) for q, lv in levels.items()) / total if total else 0.0
    return {"generalisation": round(gen, 4), "suppression": round(suppressed / people, 4) if people else 0.0}


# --- treatment ------------------------------------------------------------------------------------


def choose_levels(con: duckdb.DuckDBPyConnection, mart: Mart, k: int, budget: float,
                  one_row_each: bool = True, start: dict[str, int] | None = None) -> dict[str, int]:
    """The greedy lattice search over ``risk_base``: the least (weighted) generalisation whose small
    classes cost at most ``budget`` people to suppress (the top node, everything ``*``, when none does).

    Each step may jump a quasi-identifier several levels at once (a date rarely helps a week
    coarser, often a year coarser), scored by people spared per unit of weighted information
    lost; then every level the budget does not need is given back, the heaviest QIs first.
    Costs are one GROUP BY each over ``risk_lattice``, memoised; fewer than k suppressed counts as
    k (the gate never suppresses fewer), unless the mart withholds its suppressed rows (they form
    no class).

    ``start``, the levels of the release analysts hold, is kept when its suppression still fits the
    budget (only levels it no longer needs are given back): releases keep their granularity while the
    data allow, and the search costs a few GROUP BYs instead of about sixty on city."""
    qis = mart.quasi_identifiers
    size = _lattice(con, qis, one_row_each)
    memo: dict[tuple[int, ...], int] = {}

    def cost(levels: dict[str, int]) -> int:
        node = tuple(levels[q] for q in qis)
        if node not in memo:
            n = con.execute(f"SELECT coalesce(sum(f) FILTER (WHERE f < {k}), 0) "
                            f"FROM ({_lattice_classes(qis, levels, size)})").fetchone()[0]
            memo[node] = int(n) if mart.withhold_suppressed or not n else max(int(n), k)
        return memo[node]

    levels = {q: 0 for q in qis}
    if start is not None and set(start) == set(qis) and cost(start) <= budget:
        levels = dict(start)
    now = cost(levels)
    while now > budget:
        best: tuple[float, int, str, int] | None = None
        for q in qis:
            for jump in range(1, depth(q) - levels[q] + 1):
                after = cost({**levels, q: levels[q] + jump})
                score = (now - after) * depth(q) / (jump * mart.weight(q))
                if best is None or (score, -after) > (best[0], -best[1]):
                    best = (score, after, q, jump)
        if best is None:
            break
        _, now, q, jump = best
        levels[q] += jump
    given_back = True
    while given_back:
        given_back = False
        for q in sorted(qis, key=lambda q: -mart.weight(q)):
            if levels[q] and cost({**levels, q: levels[q] - 1}) <= budget:
                levels[q] -= 1
                given_back = True
    con.execute("DROP TABLE risk_lattice")
    return levels


def _lattice(con: duckdb.DuckDBPyConnection, qis: tuple[str, ...], one_row_each: bool) -> str:
    """TEMP ``risk_lattice``: every level of ``risk_base``'s quasi-identifiers as its 64-bit hash (and
    the person as theirs), rows of one class at every level counted once where a row is a person;
    returns the class size over it.  A search groups it some 60 times: on city's dim_customers one
    GROUP BY took 0.065 s here against 0.155 s over the text columns, fct_policies' 0.30 s against
    0.51 s.  Two values sharing a hash would merge two classes, odds about 2^-64 as for
    ``class_key``; two people sharing one only make a class look smaller."""
    cols = ", ".join(f"hash({at(q, i)}) AS {at(q, i)}" for q in qis for i in range(depth(q)))
    if one_row_each:
        con.execute(f"CREATE OR REPLACE TEMP TABLE risk_lattice AS SELECT {cols}, count(*) AS __n "
                    "FROM risk_base GROUP BY ALL")
        return "sum(__n)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE risk_lattice AS SELECT {cols}, hash(__unit) AS __unit FROM risk_base")
    return "count(DISTINCT __unit)"


def _lattice_classes(qis: tuple[str, ...], levels: dict[str, int], size: str) -> str:
    """Class sizes ``f`` at ``levels`` over ``risk_lattice`` (``size`` from ``_lattice``)."""
    shown = [at(q, levels[q]) for q in qis if levels[q] < depth(q)]  # `*` throughout splits no class
    return f"SELECT {size} AS f FROM risk_lattice {'GROUP BY ' + ', '.join(shown) if shown else ''}"


@dataclass
class MartReport:
    mart: str
    release: str
    kind: str  # individual | aggregate
    quasi_identifiers: list[str]
    k_required: int
    levels: dict[str, int]
    released_levels: dict[str, str]
    before: Measure | None
    after: Measure | None
    information_loss: dict[str, float]
    cells: dict[str, int] | None
    actions: list[str]
    attacks: list[dict[str, Any]]
    failures: list[str]
    text: dict[str, Any] | None = None  # redacted free text: rows released / withheld, spans and residuals per type


def _column_types(con: duckdb.DuckDBPyConnection, db: str, mart: Mart) -> dict[str, str]:
    return dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
                            "AND schema_name = ? AND table_name = ?", [db, mart.schema, mart.name]).fetchall())


def mark_suppressed(con: duckdb.DuckDBPyConnection, qis: tuple[str, ...], levels: dict[str, int], k: int,
                    top_up: bool = True) -> None:
    """Flag the rows of ``risk_base`` that suppression at ``levels`` stars (or withholds: ``top_up`` False)."""
    key = class_key(qis, levels)
    con.execute(f"CREATE OR REPLACE TEMP TABLE risk_small AS {_suppressed_classes(qis, levels, k, top_up)}")
    # one column updated, not the table rebuilt: on city 1.6 s for the four marts, 8 s rebuilt
    con.execute(f"UPDATE risk_base SET __suppressed = {key} IN (SELECT h FROM risk_small)")


def write_release(con: duckdb.DuckDBPyConnection, mart: Mart, levels: dict[str, int], rel: str) -> None:
    """Rewrite the released mart from ``risk_base`` at ``levels``, suppressed rows starred (or left
    out, ``withhold_suppressed``).  Rows are written in value order, so their order says nothing of
    the truth's."""
    types = _column_types(con, rel, mart)
    exprs = []
    for c in mart.columns:
        if c in mart.quasi_identifiers:
            star = f"'{STAR}'" if types[c] == "VARCHAR" else "NULL"
            value = at(c, levels[c]) if levels[c] < depth(c) or types[c] == "VARCHAR" else "NULL"
            exprs.append(f"CAST(CASE WHEN __suppressed THEN {star} ELSE {value} END AS {types[c]})")
        else:
            exprs.append(quote(c))
    con.execute(f"DELETE FROM {rel}.{mart.relation}")
    con.execute(f"INSERT INTO {rel}.{mart.relation} ({', '.join(quote(c) for c in mart.columns)}) "
                f"SELECT {', '.join(exprs)} FROM risk_base "
                f"{'WHERE NOT __suppressed ' if mart.withhold_suppressed else ''}ORDER BY ALL")


def assess_individual(con: duckdb.DuckDBPyConnection, mart: Mart, policy: Policy, treat: bool,
                      rel: str, ref: str, adversary: Any, text_checks: str | None = None,
                      last: str | None = None) -> MartReport:
    from anonymizer import attacks

    k, qis = policy.k_for(mart.release), mart.quasi_identifiers
    truth = f"intermediate.{mart.truth}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE risk_base AS {levelled(truth, qis, ref, mart.truth_key)}")
    released = f"{rel}.{mart.relation}"
    before = measure(con, qis, {q: 0 for q in qis}, k)
    actions: list[str] = []
    if treat:
        start = attacks.infer_levels(con, qis, f"{last}.{mart.relation}") if _holds(con, last, mart) else None
        levels = choose_levels(con, mart, k, policy.max_suppression * before.people, before.rows == before.people,
                               start)
        mark_suppressed(con, qis, levels, k, top_up=not mart.withhold_suppressed)
        write_release(con, mart, levels, rel)
        actions = [f"generalised {q} to {level_name(q, lv)}" for q, lv in levels.items() if lv]
    else:  # a report reads the levels off the published rows, as an attacker would
        levels = attacks.infer_levels(con, qis, released)
        mark_suppressed(con, qis, levels, k, top_up=not mart.withhold_suppressed)
    after = measure(con, qis, levels, k, "__suppressed")
    if after.suppressed:
        actions.append(f"suppressed {after.suppressed:,} of {after.people:,} people ({after.suppressed / after.people:.1%}) "
                       f"in classes smaller than {k}" + (f": their {withheld_rows(con):,} rows withheld, not starred"
                                                        if mart.withhold_suppressed else ""))
    results = attacks.run_suite(con, mart, released, adversary, policy.linkage_sample, levels)
    failures = []
    if after.k is not None and after.k < k:
        failures.append(f"k = {after.k} < {k}")
    if after.people and after.suppressed / after.people > policy.max_suppression:
        failures.append(f"{after.suppressed / after.people:.1%} of people suppressed > {policy.max_suppression:.0%}")
    for a in results:
        if a["after"] >= policy.linkage_max_rate:
            failures.append(f"attack '{a['knowledge']}' re-identifies {a['after']:.2%} ≥ {policy.linkage_max_rate:.0%}")
    text = None
    if mart.redacted_text:
        text = redacted_text(con, mart, released, text_checks, keep=treat)
        failures += residual_failures(text)
    return MartReport(mart.relation, mart.release, "individual", list(qis), k, levels,
                      {q: level_name(q, lv) for q, lv in levels.items()}, before, after,
                      information_loss(mart, levels, after.suppressed, after.people), None, actions, results, failures,
                      text)


def withheld_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of ``risk_base`` suppression flagged (left out of a mart that withholds them)."""
    return int(con.execute("SELECT count(*) FILTER (WHERE __suppressed) FROM risk_base").fetchone()[0])


def span_counts_sql(column: str) -> str:
    """SQL summing, per placeholder type, how often its placeholder occurs in ``column`` (a longer
    placeholder that contains it is taken out first, so no span counts twice)."""
    from anonymizer.redact import PLACEHOLDERS

    def lit(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def count(p: str) -> str:
        text = quote(column)
        for longer in PLACEHOLDERS.values():
            if p in longer and p != longer:
                text = f"replace({text}, {lit(longer)}, '')"
        return f"coalesce(sum((length({text}) - length(replace({text}, {lit(p)}, ''))) // length({lit(p)})), 0)"

    return ", ".join(f"{count(p)}::BIGINT AS {quote(kind)}" for kind, p in PLACEHOLDERS.items())


# In the build database: every released text the redactor's detectors have read (by an md5 of the
# text and the redactor's version) and the kinds they found in it.  The gate read all 430k notes of
# city every run (26 s); it now reads each distinct text once, and the next run only texts it has no
# verdict for.  (The generator's notes redact to 120 distinct texts, so on city reading each distinct
# text once is what saves the time; written notes are mostly distinct, and there the verdicts do.)
TEXT_CHECKS = "meta.redaction_checks"


def residual_by_text(con: duckdb.DuckDBPyConnection, released: str, column: str,
                     checks: str | None = None, keep: bool = False) -> dict[str, int]:
    """Per identifier type, the spans ``anonymizer.redact.find`` still finds in the released ``column``
    (placeholders in place), every type of ``PLACEHOLDERS`` listed; counts only, never a value.  Texts
    ``checks`` (a relation like ``TEXT_CHECKS``) holds a verdict for are not read again; with ``keep``,
    every verdict goes into ``TEXT_CHECKS``."""
    import pyarrow as pa

    from anonymizer.redact import PLACEHOLDERS
    from anonymizer.redact.batch import CODE_VERSION, kinds_found

    col = quote(column)
    con.execute(f"CREATE OR REPLACE TEMP TABLE texts_now AS SELECT md5_number({col} || '{CODE_VERSION}') AS h, "
                f"any_value({col}) AS t, count(*) AS n FROM {released} WHERE {col} IS NOT NULL GROUP BY 1")
    known = f"SELECT DISTINCT h, found FROM {checks}" if checks else "SELECT NULL::UHUGEINT AS h, [''] AS found LIMIT 0"
    con.execute(f"CREATE OR REPLACE TEMP TABLE texts_read AS SELECT h, k.found FROM texts_now JOIN ({known}) AS k "
                "USING (h)")
    todo = con.execute("SELECT h::VARCHAR, t FROM texts_now ANTI JOIN texts_read USING (h)").fetchall()
    con.register("_read", pa.table({"h": pa.array([r[0] for r in todo], type=pa.string()),
                                    "found": pa.array(kinds_found([r[1] for r in todo]), type=pa.list_(pa.string()))}))
    con.execute("INSERT INTO texts_read SELECT h::UHUGEINT, found FROM _read")
    con.unregister("_read")
    if keep:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {TEXT_CHECKS.split('.')[0]}; "
                    f"CREATE TABLE IF NOT EXISTS {TEXT_CHECKS} (h UHUGEINT, found VARCHAR[])")
        con.execute(f"INSERT INTO {TEXT_CHECKS} SELECT * FROM texts_read ANTI JOIN {TEXT_CHECKS} USING (h)")
    found = dict.fromkeys(PLACEHOLDERS, 0)
    found.update(con.execute("SELECT kind, sum(n)::BIGINT FROM (SELECT n, unnest(found) AS kind FROM texts_now "
                             "JOIN texts_read USING (h)) GROUP BY kind").fetchall())
    con.execute("DROP TABLE texts_now; DROP TABLE texts_read")
    return found


def redacted_text(con: duckdb.DuckDBPyConnection, mart: Mart, released: str, checks: str | None = None,
                  keep: bool = False) -> dict[str, Any]:
    """The released mart's redacted free text: rows released and withheld (``risk_base`` holds the
    truth and which rows were suppressed), placeholders per type (SQL) and residual identifiers per
    type (the redactor's detectors over the released text: ``residual_by_text``)."""
    from anonymizer.redact import PLACEHOLDERS

    out_rows = con.execute(f"SELECT count(*) FROM {released}").fetchone()[0]
    withheld = withheld_rows(con) if mart.withhold_suppressed else 0
    spans, residual = dict.fromkeys(PLACEHOLDERS, 0), dict.fromkeys(PLACEHOLDERS, 0)
    columns: dict[str, dict[str, Any]] = {}
    for column in mart.redacted_text:
        counts = con.execute(f"SELECT {span_counts_sql(column)} FROM {released}").fetchone()
        col_spans = dict(zip(PLACEHOLDERS, (int(n) for n in counts), strict=True))
        col_residual = residual_by_text(con, released, column, checks, keep)
        columns[column] = {"spans": col_spans, "residual": col_residual}
        for kind, n in col_spans.items():
            spans[kind] += n
        for kind, n in col_residual.items():
            residual[kind] = residual.get(kind, 0) + n
    return {"columns": columns, "released": int(out_rows), "withheld": int(withheld), "spans": spans,
            "residual": residual, "refused_kinds": list(REFUSED_RESIDUAL)}


def residual_failures(text: dict[str, Any]) -> list[str]:
    """A failure per column and validated type the redactor still finds in released text (no value)."""
    return [f"the redactor still finds {n:,} {kind} identifier{'s' if n > 1 else ''} in the released {column} "
            "(values not shown)"
            for column, c in text["columns"].items() for kind, n in c["residual"].items()
            if n and kind in REFUSED_RESIDUAL]


def text_line(text: dict[str, Any]) -> str:
    """One line on a mart's redacted free text: rows, placeholders per type, what the detectors still find."""
    spans = ", ".join(f"{kind} {n:,}" for kind, n in text["spans"].items())
    residual = ", ".join(f"{kind} {n:,}" for kind, n in text["residual"].items() if n) or "none"
    return (f"{text['released']:,} rows of redacted text released, {text['withheld']:,} withheld; "
            f"placeholders: {spans}; identifiers still found: {residual}")


def assess_aggregate(con: duckdb.DuckDBPyConnection, mart: Mart, policy: Policy, rel: str) -> MartReport:
    k, cell = policy.k_for(mart.release), quote(mart.cell_count)
    cells, suppressed, smallest = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {cell} IS NULL), min({cell}) FROM {rel}.{mart.relation}").fetchone()
    failures = [f"a published cell counts {smallest} < {k}"] if smallest is not None and smallest < k else []
    return MartReport(mart.relation, mart.release, "aggregate", list(mart.quasi_identifiers), k, {}, {}, None, None,
                      {"generalisation": 0.0, "suppression": round(suppressed / cells, 4) if cells else 0.0},
                      {"cells": int(cells), "suppressed": int(suppressed),
                       "smallest": int(smallest) if smallest is not None else None}, [], [], failures)


def assess(con: duckdb.DuckDBPyConnection, marts: list[Mart], policy: Policy, adversary: Any,
           treat: bool = True, rel: str = "rel", text_checks: str | None = None,
           last: str | None = None) -> list[MartReport]:
    """Judge (and with ``treat`` generalise, suppress and rewrite) every released mart.

    ``con`` is the build database (the truth models); the release is attached as ``rel``;
    ``text_checks``, the detectors' verdicts on released texts an earlier gate read (``TEXT_CHECKS``);
    ``last``, the release analysts hold now, whose levels the search starts from."""
    ref = f"{rel}.reference"
    return [assess_individual(con, m, policy, treat, rel, ref, adversary, text_checks, last) if m.individual_level
            else assess_aggregate(con, m, policy, rel) for m in marts]


def _holds(con: duckdb.DuckDBPyConnection, db: str | None, mart: Mart) -> bool:
    """Whether the release ``db`` has ``mart`` with every quasi-identifier (a mart or QI added since has not)."""
    if db is None:
        return False
    schema, table = mart.relation.split(".")
    have = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND "
                                      "schema_name = ? AND table_name = ?", [db, schema, table]).fetchall()}
    return set(mart.quasi_identifiers) <= have


def gate(reports: list[MartReport]) -> None:
    failing = [r for r in reports if r.failures]
    if failing:
        raise RiskGateFailed("the release gate refuses the release (re-identification risk or identifiers "
                             "left in released text), nothing was published: "
                             + "; ".join(f"{r.mart}: {', '.join(r.failures)}" for r in failing))


def summary_json(reports: list[MartReport], run_id: str, as_of: date, policy: Policy,
                 adversary: Any, measured_only: bool = False) -> dict[str, Any]:
    return {"run_id": run_id, "as_of": as_of.isoformat(), "measured_only": measured_only,
            "adversary": adversary.description, "policy": asdict(policy),
            "passed": not any(r.failures for r in reports), "marts": [asdict(r) for r in reports]}


def write_report(summary: dict[str, Any], out_dir: Path, stem: str = "risk") -> tuple[Path, Path]:
    """``<stem>.json`` and ``<stem>.html`` (charts drawn by the page from the JSON it embeds)."""
    from anonymizer.risk_html import render

    out_dir.mkdir(parents=True, exist_ok=True)
    js, html = out_dir / f"{stem}.json", out_dir / f"{stem}.html"
    js.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    html.write_text(render(summary))
    return js, html
