"""Region names (GB/T 2260, every revision, from ``seeds/regions.csv``) and the place stems
that are not names (无锡, 江阴): addresses extend over them, names refuse them."""

from __future__ import annotations

import csv

from core.layout import PROJECT

REGIONS_CSV = PROJECT.seed("regions")


def _load_places() -> tuple[frozenset[str], frozenset[str]]:
    """Region names of every GB/T 2260 revision, and the stems that are not names (无锡, 江阴)."""
    with REGIONS_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {r["region_name"] for r in rows}
    # stems of provinces, cities and Jiangsu's districts (常州, 江阴); not of every county in
    # China, whose stems are too often people's names (高阳, 安平)
    stems = {r["region_name"][:-1] for r in rows if len(r["region_name"]) >= 3 and r["region_name"][-1] in "省市区县"
             and (r["region_level"] != "district" or r["province_code"] == "320000")}
    # functional zones people write as districts (经开区 is 无锡经济开发区, in no GB/T 2260 list)
    names |= {"经开区", "高新区", "新区", "开发区", "工业园区", "太湖新城", "锡东新城"}
    return frozenset(names), frozenset(stems)


REGION_NAMES, PLACE_STEMS = _load_places()


