"""Rebuild data/divisions/divisions.csv from the modood/Administrative-divisions-of-China dist/ CSVs.

Usage: python scripts/build_divisions.py DIST_DIR SOURCE_NOTE
DIST_DIR holds provinces.csv, cities.csv and areas.csv (the 国家统计局 统计用区划代码 levels 1-3).
Rows that are groupings, not divisions ("市辖区", "县", "省直辖县级行政区划") are dropped and their
children hang from the province. The output keeps 6-digit codes and parent codes only.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "divisions" / "divisions.csv"
MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: Beijing, Tianjin, Shanghai, Chongqing
GROUPINGS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
FUNCTIONAL_ZONE_WORDS = ("开发区", "产业园", "示范区", "管理区", "园区", "高新技术", "经济区", "新城")


def county_level(name: str) -> str:
    if any(w in name for w in FUNCTIONAL_ZONE_WORDS) and not name.endswith(("新区", "县", "市")):
        return "functional_zone"  # statistical unit of a development zone, not an administrative division
    if name.endswith("市"):
        return "county_city"
    if name.endswith("区"):
        return "district"
    return "county"  # 县, 旗, 自治县, 自治旗, 特区, 林区


def main(dist: Path, note: str) -> None:
    rows: list[tuple[str, str, str, str]] = []
    for r in csv.DictReader((dist / "provinces.csv").open(encoding="utf-8")):
        level = "municipality" if r["code"] in MUNICIPALITIES else "province"
        rows.append((r["code"] + "0000", r["name"], level, ""))
    grouping: set[str] = set()
    for r in csv.DictReader((dist / "cities.csv").open(encoding="utf-8")):
        if r["name"] in GROUPINGS:
            grouping.add(r["code"])
            continue
        rows.append((r["code"] + "00", r["name"], "prefecture", r["provinceCode"] + "0000"))
    for r in csv.DictReader((dist / "areas.csv").open(encoding="utf-8")):
        parent = r["provinceCode"] + "0000" if r["cityCode"] in grouping else r["cityCode"] + "00"
        if r["code"] == parent:
            continue  # 东莞、中山、儋州 have no counties: the list repeats the city itself at county level
        rows.append((r["code"], r["name"], county_level(r["name"]), parent))
    with OUT.open("w", encoding="utf-8", newline="") as f:
        f.write(f"# {note}\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)
    print(f"{len(rows)} divisions → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
