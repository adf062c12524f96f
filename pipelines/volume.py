"""The last gate before publishing: do the new marts look like the last release?

Row-level rules (GX, dbt tests) cannot see a load that is wrong as a whole:
half a table missing still leaves valid rows.  So every mart's row count, and
the category shares of the columns ``expectations/volume.yml`` names, are
compared with the warehouse currently published, and the run stops before
publishing when they moved more than the tolerances allow.  Both files are
local DuckDB files and the comparison is a few aggregate queries.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from core.errors import YihuiError
from core.layout import PROJECT

CONFIG = PROJECT.volume_config
MART_SCHEMAS = ("profile", "audience", "governance", "publication")


class VolumeCheckFailed(YihuiError):
    """The new marts differ from the last release beyond the tolerances: nothing was published."""


def _counts(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, int]:
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name IN ?",
        [db, list(MART_SCHEMAS)]).fetchall()
    return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM {db}."{s}"."{t}"').fetchone()[0] for s, t in tables}


def _shares(con: duckdb.DuckDBPyConnection, db: str, mart: str, column: str) -> dict[str, float]:
    schema, table = mart.split(".")
    rows = con.execute(f'SELECT coalesce("{column}"::VARCHAR, \'∅\'), count(*) / sum(count(*)) OVER () '
                       f'FROM {db}."{schema}"."{table}" GROUP BY 1').fetchall()
    return dict(rows)


def check(new: Path, previous: Path, config: Path = CONFIG) -> list[str]:
    """Findings (empty when the new release looks like the previous one)."""
    if not previous.exists():
        return []  # a first release has nothing to compare with
    cfg = yaml.safe_load(config.read_text())
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{new}' AS new (READ_ONLY)")
        con.execute(f"ATTACH '{previous}' AS old (READ_ONLY)")
        now, before = _counts(con, "new"), _counts(con, "old")
        findings = []
        for mart, n_old in sorted(before.items()):
            if mart in cfg["skip"] or n_old < cfg["min_rows"]:
                continue
            n_new = now.get(mart, 0)
            change = n_new / n_old - 1
            if change < -cfg["max_row_drop"] or change > cfg["max_row_growth"]:
                findings.append(f"{mart}: {n_old:,} → {n_new:,} rows ({change:+.0%})")
        for mart, columns in cfg["distributions"].items():
            if mart not in now or mart not in before or before[mart] < cfg["min_rows"]:
                continue
            for column in columns:
                old, cur = _shares(con, "old", mart, column), _shares(con, "new", mart, column)
                for category in sorted(set(old) | set(cur)):
                    moved = cur.get(category, 0.0) - old.get(category, 0.0)
                    if abs(moved) > cfg["share_tolerance"]:
                        findings.append(f"{mart}.{column} = {category}: share {old.get(category, 0):.1%} → "
                                        f"{cur.get(category, 0):.1%}")
        return findings
    finally:
        con.close()
