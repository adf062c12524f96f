"""Rebuild ``seeds/calendar.csv``: the time hierarchy (day → ISO week → month → quarter → year).

Dates are quasi-identifiers; the re-identification gate generalises them along
this hierarchy like age bands and regions, and analysts join it to read a
released period.  Run by hand to extend the range: ``python scripts/build_calendar_seed.py``.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

FIRST, LAST = date(2015, 1, 1), date(2030, 12, 31)


def rows():
    day = FIRST
    while day <= LAST:
        iso_year, iso_week, _ = day.isocalendar()
        yield (day.isoformat(), f"{iso_year}-W{iso_week:02d}", f"{day:%Y-%m}",
               f"{day.year}-Q{(day.month - 1) // 3 + 1}", str(day.year))
        day += timedelta(days=1)


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "seeds" / "calendar.csv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("date_day", "iso_week", "month", "quarter", "year"))
        w.writerows(rows())


if __name__ == "__main__":
    main()
