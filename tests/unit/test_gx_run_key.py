"""GX keys each stored validation result by run name and time; the name must never be read as a time."""

import pytest

from pipelines.validate import gx_run_identifier


@pytest.mark.parametrize("run_id", [
    "20261205T000848Z-7891ad",  # dateutil reads "-7891" as a UTC offset of -78:91
    "20261205T000829Z-6845ad",
    "20261204T235501Z-1200ad__account_id_1-500",
])
def test_a_run_id_that_reads_as_an_impossible_utc_offset_still_keys_its_validation_result(run_id):
    name, stamp = gx_run_identifier(run_id).to_tuple()
    assert name == run_id
    assert stamp.endswith("Z")
