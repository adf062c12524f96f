"""The quality page shows results and counts, never a value GX carries in a result."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines import quality_report

ID_NUMBERS = ["110101199003078888", "32021119850309037X", "not-an-id-000001"]


@pytest.fixture(scope="module")
def gx_result():
    """A real GX checkpoint over a frame of ID numbers, in GX's fullest result format (values included)."""
    import great_expectations as gx

    ctx = gx.get_context(mode="ephemeral")
    suite = ctx.suites.add(gx.ExpectationSuite(name="landing__people", expectations=[
        gx.expectations.ExpectColumnValuesToMatchRegex(column="id_number", regex=r"^\d{17}[\dX]$",
                                                       meta={"reason_code": "malformed_id"}),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="id_number"),
    ]))
    batch = ctx.data_sources.add_pandas("landing").add_dataframe_asset("people") \
        .add_batch_definition_whole_dataframe("whole")
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="people", data=batch, suite=suite))
    checkpoint = ctx.checkpoints.add(gx.Checkpoint(name="people", validation_definitions=[vd], result_format={
        "result_format": "COMPLETE", "unexpected_index_column_names": ["person_id"]}))
    frame = pd.DataFrame({"person_id": [7001, 7002, 7003], "id_number": ID_NUMBERS})
    outcome = checkpoint.run(batch_parameters={"dataframe": frame})
    (result,) = outcome.run_results.values()
    return result


def test_gx_results_carry_the_unexpected_values_and_row_ids(gx_result):
    """Why the page copies counts only: GX's own result holds the offending value and its row id."""
    text = json.dumps(gx_result.to_json_dict())
    assert "not-an-id-000001" in text and "7003" in text


def test_the_quality_page_shows_each_expectations_result_and_counts_but_no_value_or_row_id(gx_result):
    tally = quality_report.Tally()
    tally.add(gx_result)
    page = quality_report.render(tally, "run-1", "2026-11-20", {"people": {"malformed_id": 1}})
    assert 'data-suite="landing__people"' in page
    assert '<td class="passed">1</td><td class="failed">1</td>' in page
    regex_row = next(line for line in page.splitlines() if "expect_column_values_to_match_regex" in line)
    assert "failed" in regex_row and "<td>1</td><td>3</td>" in regex_row and "quarantine: malformed_id" in regex_row
    for value in (*ID_NUMBERS, "not-an-id", "7001", "7002", "7003"):
        assert value not in page, value
