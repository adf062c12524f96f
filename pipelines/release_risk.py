"""The re-identification release gate: between the dbt build and the publish.

It needs the vault (the attacker's population and the ground truth of who is
who come from the raw rows and token maps) and the warehouse being released.
Within ``yihui run`` it treats the staging warehouse (generalise, suppress),
writes the report, and stops the release when a mart still fails; ``yihui
risk report`` measures the published warehouse as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from anonymizer import risk, tokens
from pipelines.settings import Settings


@dataclass
class RiskResult:
    reports: list[risk.MartReport]
    json_path: Path
    html_path: Path
    population: int


def report_dir(settings: Settings) -> Path:
    return settings.data_dir / "reports" / "risk"


def assess(settings: Settings, warehouse: Path, run_id: str, as_of: date, treat: bool,
           marts: list[risk.Mart] | None = None) -> RiskResult:
    """Measure (and treat) ``warehouse``'s marts, attack them, write risk.json and risk.html."""
    from pipelines.run import open_session

    policy = risk.load_policy(settings.project_dir)
    key, con = open_session(settings)
    try:
        tokens.install_macros(con, key)
        con.execute(f"ATTACH '{warehouse}' AS wh{'' if treat else ' (READ_ONLY)'}")
        population = risk.create_population(con, as_of)
        reports = risk.assess(con, marts if marts is not None else risk.load_marts(settings.project_dir),
                              policy, treat_marts=treat)
        con.execute("DETACH wh")
    finally:
        con.close()
    js, html = risk.write_report(risk.summary_json(reports, run_id, as_of, policy), report_dir(settings))
    return RiskResult(reports, js, html, population)
