"""The attack suite: the README's adversary against what will be published, scored with the truth.

For each knowledge set of ``adversary.yml`` and each individual-level released
mart, the attacker takes ``linkage_sample`` targets (one row each of people in
the mart) and knows, of each, the facts of the set at their finest level (the
truth model's values: the birth date gives the age band, the ID region the
district, and so on).  Like an attacker holding the seeds, they generalise each
fact to the finest level of its hierarchy that the published values show, then
count the published rows consistent with it (a ``*`` or NULL matches anything).  A target is re-identified when exactly one row is:
that row is necessarily theirs, since their own row is always consistent.  The
same attack on the mart untreated (its finest level, nothing suppressed) is the
"before" figure.

Where a person has several rows (a person's certificates, an account's service
notes), the rows consistent with a target may all be theirs: that is a
re-identification too, which counting rows misses.  There the published rows are
rebuilt from the truth at the levels the release shows, each with the person it
belongs to, and checked to be exactly the published rows; a target is then
re-identified when every consistent row is one person's (theirs).

Counting is set-based: published rows are grouped into classes on the known
columns; classes without a wildcard are matched by a hash join, the few with
one (suppressed rows) by a small nested-loop join.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from anonymizer.hierarchy import STAR, at, depth, quote
from anonymizer.release import Mart

ADVERSARY = Path(__file__).with_name("adversary.yml")


@dataclass(frozen=True)
class Adversary:
    description: str
    facts: dict[str, tuple[str, tuple[str, ...]]]  # fact -> (what is known, released columns it shows in)
    attacks: tuple[tuple[str, ...], ...]

    def columns(self, knowledge: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for f in knowledge for c in self.facts[f][1]))

    @property
    def known_columns(self) -> set[str]:
        return {c for _, cols in self.facts.values() for c in cols}


def load_adversary(path: Path = ADVERSARY) -> Adversary:
    raw = yaml.safe_load(path.read_text())
    facts = {name: (f["knows"], tuple(f["columns"])) for name, f in raw["facts"].items()}
    return Adversary(" ".join(raw["description"].split()), facts, tuple(tuple(a) for a in raw["attacks"]))




def infer_levels(con: duckdb.DuckDBPyConnection, qis: tuple[str, ...], released: str) -> dict[str, int]:
    """The hierarchy level each quasi-identifier of ``released`` is at, read off its values
    (against the levels of ``risk_base``): the finest level holding every published value."""
    levels = {}
    for qi in qis:
        values = (f"SELECT DISTINCT {quote(qi)}::VARCHAR AS v FROM {released} "
                  f"WHERE {quote(qi)} IS NOT NULL AND {quote(qi)}::VARCHAR <> '{STAR}'")
        levels[qi] = depth(qi)
        if not con.execute(f"SELECT count(*) FROM ({values})").fetchone()[0]:
            continue
        for i in range(depth(qi)):
            outside = con.execute(f"SELECT count(*) FROM ({values}) WHERE v NOT IN "
                                  f"(SELECT {quote(f'{qi}__{i}')} FROM risk_base WHERE {quote(f'{qi}__{i}')} IS NOT NULL)"
                                  ).fetchone()[0]
            if outside == 0:
                levels[qi] = i
                break
        else:
            levels[qi] = 0  # values of no level: matched as they are
    return levels


def _known(col: str, qis: tuple[str, ...], released_values: dict[str, str] | None) -> str:
    """What the attacker knows of ``col`` for a target: untreated, its finest value; released, the
    finest level of its hierarchy whose value the release shows (regions are recoded per value, so
    levels differ between targets); NULL when none shows, which only starred rows then fit."""
    if col not in qis:
        return f"t.{quote(col)}::VARCHAR"
    if released_values is None:
        return f"t.{quote(f'{col}__0')}"
    arms = " ".join(f"WHEN t.{quote(f'{col}__{i}')} IN (SELECT v FROM {released_values[col]}) "
                    f"THEN t.{quote(f'{col}__{i}')}" for i in range(depth(col)))
    return f"CASE {arms} END"


def reidentified(con: duckdb.DuckDBPyConnection, released: str, cols: tuple[str, ...], qis: tuple[str, ...],
                 released_values: dict[str, str] | None = None, by_owner: bool = False) -> int:
    """Targets (``attack_targets``) consistent with exactly one row of ``released`` on ``cols``
    (``by_owner``: with rows of one person only, ``released`` carrying each row's ``__unit``).
    ``released_values``: per quasi-identifier, a relation of the values the release shows (None:
    the attacker knows the finest level, as against the untreated mart)."""
    known = ", ".join(f"{_known(c, qis, released_values)} AS {quote(c)}" for c in cols)
    star = " OR ".join(f"{quote(c)} IS NULL OR {quote(c)}::VARCHAR = '{STAR}'" for c in cols)
    exact_on = " AND ".join(f"c.{quote(c)} = a.{quote(c)}" for c in cols)
    wild_on = " AND ".join(f"(c.{quote(c)} IS NULL OR c.{quote(c)} = '{STAR}' OR c.{quote(c)} = a.{quote(c)})"
                           for c in cols)
    return con.execute(
        f"""WITH a AS (SELECT t.__unit AS target, {known} FROM attack_targets AS t),
            classes AS (SELECT {', '.join(f'{quote(c)}::VARCHAR AS {quote(c)}' for c in cols)}, count(*) AS n,
                               {'count(DISTINCT __unit) AS owners, min(__unit) AS owner' if by_owner else
                                'count(*) AS owners, NULL AS owner'},
                               {star} AS wild FROM {released} GROUP BY {', '.join(quote(c) for c in cols)}),
            hits AS (SELECT a.target, c.n, c.owners, c.owner FROM a
                     JOIN (SELECT * FROM classes WHERE NOT wild) AS c ON {exact_on}
                     UNION ALL
                     SELECT a.target, c.n, c.owners, c.owner FROM a
                     JOIN (SELECT * FROM classes WHERE wild) AS c ON {wild_on})
        SELECT count(*) FROM (SELECT target FROM hits GROUP BY target HAVING
            {'max(owners) = 1 AND count(DISTINCT owner) = 1' if by_owner else 'sum(n) = 1'})""").fetchone()[0]


def released_value_sets(con: duckdb.DuckDBPyConnection, qis: tuple[str, ...], released: str) -> dict[str, str]:
    """TEMP tables of the values each quasi-identifier shows in the release (what an attacker reads)."""
    tables = {}
    for i, qi in enumerate(qis):
        tables[qi] = f"attack_values_{i}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {tables[qi]} AS SELECT DISTINCT {quote(qi)}::VARCHAR AS v "
                    f"FROM {released} WHERE {quote(qi)} IS NOT NULL AND {quote(qi)}::VARCHAR <> '{STAR}'")
    return tables


def owned_release(con: duckdb.DuckDBPyConnection, mart: Mart, released: str,
                  levels: dict[str, int]) -> str | None:
    """``attack_owners``: the published rows rebuilt from ``risk_base`` at ``levels`` (suppressed rows
    starred, or left out where the mart withholds them), each with its ``__unit``; None when they are
    not exactly the published rows (compared as multisets of quasi-identifiers, NULL as ``*``).

    The multisets are compared by their size and the sum of their rows' 64-bit hashes: two
    EXCEPT ALLs over city's fct_policies took 8 s, the sums take a scan each, and rows that
    differ by accident share a sum with odds of about 2^-64."""
    qis = mart.quasi_identifiers
    star = f"'{STAR}'"
    shown = ", ".join(f"CASE WHEN __suppressed THEN {star} ELSE {at(c, levels[c])} END AS {quote(c)}" for c in qis)
    con.execute(f"CREATE OR REPLACE TEMP TABLE attack_owners AS SELECT __unit, {shown} FROM risk_base"
                + (" WHERE NOT __suppressed" if mart.withhold_suppressed else ""))
    norm = ", ".join(f"coalesce({quote(c)}::VARCHAR, {star})" for c in qis)
    ours, published = (con.execute(f"SELECT count(*), sum(hash({norm})) FROM {rows}").fetchone()
                       for rows in ("attack_owners", released))
    return "attack_owners" if ours == published else None


def run_suite(con: duckdb.DuckDBPyConnection, mart: Mart, released: str, adversary: Adversary,
              sample: int, levels: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Every knowledge set against ``released`` (after) and the untreated ``risk_base`` (before).
    With ``levels`` (the release's) and people of several rows, a target is re-identified when the
    consistent rows are all theirs, not only when there is one."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE attack_targets AS
        SELECT * FROM risk_base QUALIFY row_number() OVER (PARTITION BY __unit ORDER BY hash(__rid)) = 1
        ORDER BY hash(__unit::VARCHAR || '|attack') LIMIT {sample}""")
    targets = con.execute("SELECT count(*) FROM attack_targets").fetchone()[0]
    qis = mart.quasi_identifiers
    values = released_value_sets(con, qis, released)
    shown = {q for q in qis if con.execute(f"SELECT count(*) FROM {values[q]}").fetchone()[0]}
    several = con.execute("SELECT count(*) > count(DISTINCT __unit) FROM risk_base").fetchone()[0]
    owners = owned_release(con, mart, released, levels) if several and levels is not None else None
    untreated = f"(SELECT {', '.join(f'{quote(c)}' for c in mart.columns)}, __unit FROM risk_base)"
    # Knowledge sets often show the same columns of a mart (fct_policies shows nothing of a registration
    # or a household): each distinct attack runs once, 12 queries became 4 there (13 s to 7 s on city)
    counted: dict[tuple, int] = {}

    def attack(relation: str, cols: tuple[str, ...], released_values: dict[str, str] | None, by_owner: bool) -> int:
        key = (relation, frozenset(cols), released_values is not None, by_owner)  # order changes no count
        if key not in counted:
            counted[key] = reidentified(con, relation, cols, qis, released_values, by_owner)
        return counted[key]

    results = []
    for knowledge in adversary.attacks:
        cols = tuple(c for c in adversary.columns(knowledge) if c in mart.columns)
        if not cols or not targets:
            continue
        by_owner = owners is not None and set(cols) <= set(qis)
        before = attack(untreated, cols, None, by_owner)
        # a column released as `*` throughout tells the attacker nothing
        after = attack(owners if by_owner else released,
                       tuple(c for c in cols if c not in qis or c in shown) or cols, values, by_owner)
        results.append({"knowledge": " + ".join(knowledge), "columns": list(cols), "targets": int(targets),
                        "before": before / targets, "after": after / targets,
                        "reidentified_before": int(before), "reidentified_after": int(after),
                        "counted": "people" if by_owner else "rows"})
    return results
