"""The boundary's timestamp reading: the plain-shape shortcut reads exactly what the general path reads."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from pipelines import boundary

# hand-written, not generated: the shapes a source clerk or a foreign system writes
STAMPS = {
    "2026-11-01 10:00:00": datetime(2026, 11, 1, 10, 0),
    "2026-11-01T10:00:00": datetime(2026, 11, 1, 10, 0),
    "2026-11-01 10:00": datetime(2026, 11, 1, 10, 0),
    "2026-11-01 10:00:00.25": datetime(2026, 11, 1, 10, 0, 0, 250000),
    "2026-11-01": datetime(2026, 11, 1),
    " 2026-11-01 10:00:00 ": datetime(2026, 11, 1, 10, 0),
    "2026-11-01 02:00:00Z": datetime(2026, 11, 1, 10, 0),
    "2026-11-01 02:00:00+00:00": datetime(2026, 11, 1, 10, 0),
    "2026-11-01 10:00:00+0800": datetime(2026, 11, 1, 10, 0),
    "2026-11-01 02:00:00 +00": datetime(2026, 11, 1, 10, 0),
    "2024-02-29 23:59:59": datetime(2024, 2, 29, 23, 59, 59),
    "2026-02-29 10:00:00": None,  # no such day
    "2026-13-01 10:00:00": None,
    "2026-11-01 25:00:00": None,
    "2026-11-01-08": None,  # an offset needs a time
    "20261101 100000": None,
    "1 Nov 2026": None,
    "2026-11-01 10:00:00 and more": None,
    "": None,
}


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


@pytest.mark.parametrize("text", list(STAMPS))
def test_a_source_timestamp_is_read_as_written_in_the_source_zone_or_not_at_all(con, text):
    assert con.execute(f"SELECT {boundary.cast('ts', '$1::VARCHAR')}", [text]).fetchone()[0] == STAMPS[text]


@pytest.mark.parametrize("text", list(STAMPS))
def test_the_plain_shape_shortcut_reads_what_the_general_path_reads(con, text):
    fast, general = con.execute(f"SELECT {boundary.cast('ts', '$1::VARCHAR')}, {boundary.timestamp('$1::VARCHAR')}",
                                [text]).fetchone()
    assert fast == general
