"""Generalisation hierarchies of the quasi-identifiers, as SQL: what the risk gate coarsens and the attacks read.

Level L of a quasi-identifier is an expression over ``b`` (the truth relation at its finest
level) joined to the reference seeds; one level past the last is ``*``.  Shared by
``risk`` (choosing levels) and ``attacks`` (attacking what was chosen), so neither imports the other.
"""

from __future__ import annotations

import re

STAR = "*"

# Generalisation hierarchies: level L of a quasi-identifier as SQL over ``b`` (the truth
# relation at its finest level) joined to the seeds (``ab``, ``cp``, ``cal``); one level
# past the last is ``*``.  A quasi-identifier not named here has one level, then ``*``.
# Regions arrive locally recoded (macros/released_region.sql: a rare city is already its
# province), so a level above one keeps a value that is already coarser.
LEVELS: dict[str, tuple[str, ...]] = {
    "age_band": ("b.age_band", "ab.age_band_coarse", "ab.age_band_broad"),
    "district_name": ("b.district_name", "b.city_name", "coalesce(cp.province_name, b.city_name)"),
    "city_name": ("b.city_name", "coalesce(cp.province_name, b.city_name)"),
    "registered_period": ("b.registered_period", "cal.iso_week", "cal.month", "cal.quarter", "cal.year"),
    "opened_month": ("b.opened_month", "mon.quarter", "mon.year"),
}
LOOKUPS = {
    "ab": "LEFT JOIN {ref}.age_bands AS ab ON ab.age_band = b.age_band",
    "cp": ("LEFT JOIN (SELECT city_name, any_value(province_name) AS province_name FROM {ref}.regions "
           "WHERE city_name IS NOT NULL GROUP BY 1) AS cp ON cp.city_name = b.city_name"),
    "cal": "LEFT JOIN {ref}.calendar AS cal ON cal.date_day = try_cast(b.registered_period AS DATE)",
    "mon": ("LEFT JOIN (SELECT month, any_value(quarter) AS quarter, any_value(year) AS year FROM {ref}.calendar "
            "GROUP BY 1) AS mon ON mon.month = b.opened_month"),
}


def quote(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def depth(qi: str) -> int:
    """Levels of a quasi-identifier's hierarchy below ``*``."""
    return len(LEVELS.get(qi, ("",)))


def level_expr(qi: str, level: int) -> str:
    if level >= depth(qi):
        return f"'{STAR}'"
    return f"({LEVELS[qi][level]})::VARCHAR" if qi in LEVELS else f"b.{quote(qi)}::VARCHAR"


def level_name(qi: str, level: int) -> str:
    """What a level is called in reports: the first column its expression reads (``province_name``
    for ``coalesce(cp.province_name, b.city_name)``)."""
    if level >= depth(qi):
        return STAR
    return re.search(r"\b[a-z]+\.([a-z_]+)", LEVELS[qi][level]).group(1) if qi in LEVELS else qi


def levelled(source: str, qis: tuple[str, ...], ref: str, unit: str | None) -> str:
    """``source`` with ``<qi>__<L>`` (VARCHAR) for every level of each quasi-identifier."""
    cols = [f"{level_expr(q, i)} AS {quote(f'{q}__{i}')}" for q in qis for i in range(depth(q))]
    exprs = " ".join(LEVELS.get(q, ("",))[i] for q in qis for i in range(depth(q)))
    joins = " ".join(sql.format(ref=ref) for alias, sql in LOOKUPS.items() if f"{alias}." in exprs)
    unit_col = f"b.{quote(unit)} AS __unit" if unit else "b.rowid AS __unit"
    return (f"SELECT b.*, b.rowid AS __rid, {unit_col}, FALSE AS __suppressed, {', '.join(cols)} "
            f"FROM {source} AS b {joins}")


def at(qi: str, level: int) -> str:
    return f"'{STAR}'" if level >= depth(qi) else quote(f"{qi}__{level}")


def class_key(qis: tuple[str, ...], levels: dict[str, int]) -> str:
    return "hash(" + ", ".join(at(q, levels[q]) for q in qis) + ")"
