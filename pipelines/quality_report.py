"""The data-quality page of a run: every GX suite and expectation with its result and counts, offline.

Built from the run's checkpoint results instead of GX's Data Docs, for two reasons:
GX's site loads its CSS and JS from CDNs (offline it shows a broken logo and no
validations) and asks a remote server for its logo with the data context's id; and
its validation pages show the partial unexpected values a result carries, which
here would be people's data.  ``Tally.add`` copies from each result only what is
listed in ``COUNTS`` (numbers), so no value of a row, no row id and no observed
value can reach the page, whatever result format GX was asked for.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from core.fonts import FONT_FAMILY
from core.layout import Layout

COUNTS = ("element_count", "unexpected_count", "missing_count")  # the only numbers read from a result


@dataclass
class Expectation:
    type: str
    column: str
    severity: str
    reason_code: str | None
    notes: str
    success: bool = True
    counts: dict[str, int] = field(default_factory=dict)  # summed over the frames of the table


@dataclass
class Suite:
    name: str
    frames: int = 0
    carried: int = 0  # rows unchanged since their last check, which kept its verdicts
    expectations: dict[str, Expectation] = field(default_factory=dict)  # by expectation id, in suite order

    @property
    def failed(self) -> int:
        return sum(not e.success for e in self.expectations.values())

    @property
    def passed(self) -> int:
        return len(self.expectations) - self.failed


class Tally:
    """Counts of the run's checkpoint results, per suite and expectation (a table may come in several frames)."""

    def __init__(self) -> None:
        self.suites: dict[str, Suite] = {}

    def carry(self, suite_name: str, rows: int, unexpected_by_rule: dict[str, int]) -> None:
        """Rows GX did not check again because neither they nor their context changed keep their last
        verdicts: the row-level expectations count them too, so the page describes the whole table."""
        suite = self.suites[suite_name]
        suite.carried += rows
        for e in suite.expectations.values():
            if "element_count" not in e.counts:  # a table-level expectation, judged on this run's frames
                continue
            e.counts["element_count"] += rows
            if unexpected := unexpected_by_rule.get(f"{e.type}({e.column})", 0):
                e.counts["unexpected_count"] = e.counts.get("unexpected_count", 0) + unexpected
                e.success = False

    def add(self, suite_result) -> None:
        """One ``ExpectationSuiteValidationResult`` (one frame of one table)."""
        suite = self.suites.setdefault(suite_result.suite_name, Suite(suite_result.suite_name))
        suite.frames += 1
        for er in suite_result.results:
            cfg = er.expectation_config
            key = cfg.id or f"{cfg.type}({cfg.kwargs.get('column', '')})"
            meta = cfg.meta or {}
            severity = str(getattr(cfg.severity, "value", cfg.severity))
            e = suite.expectations.setdefault(key, Expectation(
                cfg.type, str(cfg.kwargs.get("column", "")), severity, meta.get("reason_code"), str(meta.get("notes", ""))))
            e.success = e.success and bool(er.success)
            for name in COUNTS:
                n = (er.result or {}).get(name)
                if isinstance(n, int) and not isinstance(n, bool):
                    e.counts[name] = e.counts.get(name, 0) + n


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>数据质量 · data quality · {run_id}</title>
<style>
body {{ font: 14px/1.45 {font_family}; margin: 2em auto; max-width: 72em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 2em; }}
.pass {{ color: #176b2c; }} .fail {{ color: #b3261e; }} .warn {{ color: #8a5a00; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: right; }}
th:first-child, td:first-child, td.text {{ text-align: left; }}
small {{ color: #666; }}
</style></head>
<body>
<h1>数据质量 · Data quality <small>run {run_id}, as of {as_of}</small></h1>
<p id="verdict" class="{verdict_class}">{verdict}</p>
<p>Great Expectations checked the landing data of the vault before anything was tokenised.
A failed rule with a reason code sends its rows to quarantine; a failed critical rule stops the run;
a warning is recorded.  Counts only: this page never shows a value of a row or a row id.</p>
<table id="suites"><thead><tr><th>suite</th><th>rows checked</th><th>expectations</th><th>passed</th>
<th>failed</th><th>unexpected rows</th><th>quarantined rows</th></tr></thead><tbody>
{suite_rows}
</tbody></table>
{sections}
</body></html>
"""


def _n(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _rows_checked(suite: Suite) -> int | None:
    counts = [e.counts["element_count"] for e in suite.expectations.values() if "element_count" in e.counts]
    return max(counts) if counts else None


def render(tally: Tally, run_id: str, as_of: str, quarantined: dict[str, dict[str, int]]) -> str:
    failing = [s.name for s in tally.suites.values() if s.failed]
    verdict = (f"all {len(tally.suites)} suites passed" if not failing
               else f"{len(failing)} of {len(tally.suites)} suites have failed expectations: " + ", ".join(failing))
    rows, sections = [], []
    for s in tally.suites.values():
        table = s.name.removeprefix("landing__")
        unexpected = sum(e.counts.get("unexpected_count", 0) for e in s.expectations.values() if not e.success)
        cls = "fail" if s.failed else "pass"
        rows.append(
            f'<tr class="{cls}" data-suite="{html.escape(s.name)}"><td><a href="#{html.escape(s.name)}">'
            f"{html.escape(s.name)}</a></td><td>{_n(_rows_checked(s))}</td><td>{len(s.expectations)}</td>"
            f'<td class="passed">{s.passed}</td><td class="failed">{s.failed}</td><td>{unexpected:,}</td>'
            f"<td>{sum(quarantined.get(table, {}).values()):,}</td></tr>")
        items = []
        for e in s.expectations.values():
            kind = "pass" if e.success else "warn" if e.severity == "warning" and not e.reason_code else "fail"
            outcome = "passed" if e.success else "failed"
            role = (f"quarantine: {e.reason_code}" if e.reason_code else e.severity)
            pct = (f"{e.counts['unexpected_count'] / e.counts['element_count']:.2%}"
                   if e.counts.get("element_count") and "unexpected_count" in e.counts else "–")
            items.append(
                f'<tr class="{kind}"><td>{html.escape(e.type)}</td><td class="text">{html.escape(e.column)}</td>'
                f'<td class="text">{html.escape(role)}</td><td class="text">{outcome}</td>'
                f"<td>{_n(e.counts.get('unexpected_count'))}</td><td>{_n(e.counts.get('element_count'))}</td>"
                f'<td>{pct}</td><td class="text"><small>{html.escape(e.notes)}</small></td></tr>')
        frames = f" in {s.frames} frames" if s.frames > 1 else ""
        if s.carried:
            frames += (f"; {(_rows_checked(s) or 0) - s.carried:,} rows checked this run, {s.carried:,} unchanged "
                       "since their last check kept its verdicts")
        sections.append(
            f'<h2 id="{html.escape(s.name)}">{html.escape(s.name)} <small>{s.passed} passed, {s.failed} failed'
            f"{frames}</small></h2>\n<table><thead><tr><th>expectation</th><th>column</th><th>on failure</th>"
            "<th>result</th><th>unexpected</th><th>of rows</th><th>share</th><th>why</th></tr></thead><tbody>\n"
            + "\n".join(items) + "\n</tbody></table>")
    return PAGE.format(run_id=html.escape(run_id), as_of=html.escape(as_of), font_family=FONT_FAMILY,
                       verdict=html.escape(verdict), verdict_class="fail" if failing else "pass",
                       suite_rows="\n".join(rows), sections="\n".join(sections))


def page_path(data_dir: Path) -> Path:
    """The latest run's page (each run replaces it, as its quarantine replaces the last one)."""
    return Layout(data_dir).quality_page


def write(tally: Tally, data_dir: Path, run_id: str, as_of: str, quarantined: dict[str, dict[str, int]]) -> Path:
    out = page_path(data_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(tally, run_id, as_of, quarantined), encoding="utf-8")
    return out
