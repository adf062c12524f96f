"""Every HTML page we write, opened in headless Chromium with the network closed: complete, and its
Chinese drawn with a CJK font (not empty boxes) — the quality page, the risk report, a subject-access
answer and the dbt docs."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from core.fonts import CJK_FONTS, CJK_MONO_FONTS
from tests.browser import render

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


def _assert_offline_and_cjk(page, uri: str) -> None:
    assert page.remote_requests == [], "the page asked the network for something"
    assert uri in page.requests
    assert page.cjk_fonts, "the page shows Chinese text"
    missing = page.tofu(CJK_FONTS + CJK_MONO_FONTS)
    assert missing == [], f"Chinese drawn without one of our CJK fonts (empty boxes, or another variant): {missing[:3]}"


def _stored_results(settings, run_id: str) -> list[dict]:
    folder = settings.data_dir / "gx" / "gx" / "uncommitted" / "validations"
    return [json.loads(p.read_text()) for p in folder.rglob("*.json") if run_id in str(p)]


def test_the_quality_page_lists_every_suite_with_its_pass_and_fail_counts_offline(tiny_run, tmp_path):
    from core.schema import INGESTED

    settings, _, summary = tiny_run
    page = render(summary.data_docs, tmp_path / "profile", screenshot=tmp_path / "quality.png")
    _assert_offline_and_cjk(page, summary.data_docs.as_uri())
    results = {r["suite_name"]: r for r in _stored_results(settings, summary.run_id)}  # tiny: one frame a table
    for table in INGESTED:
        suite = f"landing__{table.name}"
        row = re.search(rf'<tr class="\w+" data-suite="{suite}">(.*?)</tr>', page.dom)
        assert row, suite
        stats = results[suite]["statistics"]
        assert f'<td class="passed">{stats["successful_expectations"]}</td>' in row.group(1), suite
        assert f'<td class="failed">{stats["unsuccessful_expectations"]}</td>' in row.group(1), suite
    assert any(r["statistics"]["unsuccessful_expectations"] for r in results.values()), "tiny has bad rows"
    assert not (settings.data_dir / "gx" / "gx" / "uncommitted" / "data_docs").exists(), "GX's own site is not built"


def test_the_risk_report_draws_its_chinese_placeholders_with_a_cjk_font_offline(tiny_run, tmp_path):
    from pipelines import release_risk

    settings, _, _ = tiny_run
    report = release_risk.report_dir(settings) / "risk.html"
    page = render(report, tmp_path / "profile")
    _assert_offline_and_cjk(page, report.as_uri())
    assert any("〔姓名〕" in text for text, _ in page.cjk_fonts)


def test_a_subject_access_answer_draws_its_chinese_with_a_cjk_font_offline(tiny_copy, tmp_path):
    src = sqlite3.connect(tiny_copy.data_dir / "source" / "ops.sqlite")
    id_number = src.execute("SELECT id_number FROM insured_persons WHERE relationship = '本人' AND "
                            "id_type = '居民身份证' LIMIT 1").fetchone()[0]
    src.close()
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "subject", "access", "--id-number", id_number,
                           "--format", "html", "--data-dir", str(tiny_copy.data_dir)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    (answer,) = (tiny_copy.data_dir / "restricted" / "subject-requests").glob("*-access.html")
    page = render(answer, tmp_path / "profile")
    _assert_offline_and_cjk(page, answer.as_uri())


def test_the_dbt_docs_draw_model_descriptions_in_chinese_with_a_cjk_font_offline(tiny_copy, tmp_path):
    from pipelines.build import docs

    index = docs(tiny_copy)
    page = render(index, tmp_path / "profile", fragment="!/model/model.yihui.dim_customers", settle_ms=1500)
    _assert_offline_and_cjk(page, index.as_uri())
    assert "dim_customers" in page.dom
