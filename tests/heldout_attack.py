"""A held-out attack, written apart from the gate and its attack suite and never tuned on.

It shares no code with ``anonymizer``: the targets' facts come from the vault's raw
rows (the resident ID number itself: its birth date, sex digit and region code; the
account's registration timestamp), the attacker maps them with the released seeds
only, and it attacks the published file as any holder of it could.  For each
column the attacker uses the finest value the release shows (a district, else its
city, else its province; a day, else its ISO week, month, quarter or year), and a
target is re-identified when exactly one published row is consistent (``*`` and
NULL fit anything).  Used by the integration tests (tiny) and ``make bench`` (small).
"""

from __future__ import annotations

from typing import Any

RAW_TARGETS = """
WITH p AS (
    SELECT p.person_id, p.account_id, p.relationship, p.id_type, p.created_at,
           CASE WHEN p.id_type = '居民身份证'
                THEN strptime(substr(p.id_number, 7, 8), '%Y%m%d')::DATE ELSE p.birthday END AS birth_date,
           CASE WHEN p.id_type <> '居民身份证' THEN p.sex
                WHEN substr(p.id_number, 17, 1)::INT % 2 = 1 THEN '男' ELSE '女' END AS sex,
           CASE WHEN p.id_type = '居民身份证' THEN substr(p.id_number, 1, 6) END AS region_code,
           coalesce(p.id_type || upper(p.id_number), 'row' || p.person_id) AS who
    FROM vault.raw.insured_persons AS p
),
one AS (  -- one record per person: their own account first, else the earliest that insures them
    SELECT * FROM p QUALIFY row_number() OVER (
        PARTITION BY who ORDER BY (relationship = '本人') DESC, created_at, account_id) = 1
)
SELECT one.*, a.registered_at::DATE AS registered_on,
       date_diff('year', birth_date, DATE '{as_of}')
         - CASE WHEN strftime(birth_date, '%m%d') > strftime(DATE '{as_of}', '%m%d') THEN 1 ELSE 0 END AS age
FROM one JOIN vault.raw.accounts AS a USING (account_id)
"""


def _finest(candidates: list[str], shown: str) -> str:
    """The first candidate (finest level first) that the release shows, else NULL."""
    arms = " ".join(f"WHEN {c} IN (SELECT v FROM {shown}) THEN {c}" for c in candidates)
    return f"CASE {arms} END"


# What the ID card gives, as released seeds map it: finest level first.
ID_CARD_LEVELS = {
    "age_band": ["ab.age_band", "ab.age_band_coarse", "ab.age_band_broad"],
    "sex": ["t.sex"],
    "city_name": ["coalesce(r.city_name, '未知')", "r.province_name"],
    "district_name": ["coalesce(r.region_name, '未知')", "coalesce(r.city_name, '未知')", "r.province_name"],
    "id_type": ["t.id_type"],
}


def _match(con: Any, mart: str, targets: str, levels: dict[str, list[str]]) -> tuple[int, int]:
    """(targets, re-identified): each target's facts at the finest level ``mart`` shows, against its
    published rows (``*`` and NULL fit anything); re-identified when exactly one row fits."""
    cols = list(levels)
    for c in cols:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ho_shown_{c} AS SELECT DISTINCT {c}::VARCHAR AS v "
                    f"FROM {mart} WHERE {c} IS NOT NULL AND {c}::VARCHAR <> '*'")
    known = ", ".join(f"{_finest(levels[c], f'ho_shown_{c}')} AS {c}" for c in cols)
    fit = " AND ".join(f"(d.{c} IS NULL OR d.{c}::VARCHAR = '*' OR d.{c}::VARCHAR = k.{c})" for c in cols)
    n, hit = con.execute(f"""
        WITH k AS (
            SELECT t.who, {known}
            FROM {targets} AS t
            LEFT JOIN rel.reference.age_bands AS ab ON t.age BETWEEN ab.min_age AND ab.max_age
            LEFT JOIN rel.reference.regions AS r ON r.region_code = t.region_code
            LEFT JOIN rel.reference.calendar AS cal ON cal.date_day = t.registered_on),
        d AS (SELECT {', '.join(cols)}, count(*) AS n FROM {mart} GROUP BY ALL),
        m AS (SELECT k.who, sum(d.n) AS candidates FROM k JOIN d ON {fit} GROUP BY k.who)
        SELECT (SELECT count(*) FROM {targets}), count(*) FILTER (WHERE candidates = 1) FROM m""").fetchone()
    return int(n), int(hit)


def attack_customers(con: Any, as_of: str, targets: int = 1000, with_registration: bool = True) -> tuple[int, int]:
    """(targets, re-identified) against ``rel.profile.dim_customers``; ``con`` has the vault attached
    as ``vault`` and the published release as ``rel``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE ho_targets AS SELECT * FROM ({RAW_TARGETS.format(as_of=as_of)}) "
                f"WHERE age >= 18 ORDER BY hash(who || '|held-out') LIMIT {targets}")
    levels = dict(ID_CARD_LEVELS)
    if with_registration:
        levels["registered_period"] = ["t.registered_on::VARCHAR", "cal.iso_week", "cal.month", "cal.quarter",
                                       "cal.year"]
    return _match(con, "rel.profile.dim_customers", "ho_targets", levels)


def attack_policies(con: Any, as_of: str, targets: int = 1000) -> tuple[int, int]:
    """(targets, re-identified) against ``rel.profile.fct_policies``: the ID card plus one policy the
    target held (its year, product, plan and how it was paid), from the vault's raw rows."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE ho_policy_targets AS
        WITH people AS (SELECT * FROM ({RAW_TARGETS.format(as_of=as_of)}) WHERE age >= 18),
        paid AS (SELECT order_id, method FROM vault.raw.payments WHERE status = 'success'
                 QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY paid_at DESC, payment_id DESC) = 1)
        SELECT p.*, o.coverage_year, c.product_name, c.plan, coalesce(paid.method, '未知') AS payment_method
        FROM people AS p
        JOIN vault.raw.certificates AS c ON coalesce(c.id_type || upper(c.id_number), '') = p.who
        JOIN vault.raw.orders AS o ON o.order_id = c.order_id
        LEFT JOIN paid ON paid.order_id = c.order_id
        QUALIFY row_number() OVER (PARTITION BY p.who ORDER BY hash(c.certificate_id)) = 1
        ORDER BY hash(p.who || '|held-out policies') LIMIT {targets}""")
    levels = {c: ID_CARD_LEVELS[c] for c in ("age_band", "sex", "city_name")}
    levels |= {c: [f"t.{c}::VARCHAR"] for c in ("coverage_year", "product_name", "plan", "payment_method")}
    return _match(con, "rel.profile.fct_policies", "ho_policy_targets", levels)
