"""Demo data: invented but plausible 2020–2024 figures for both cities, clearly marked.

The workbook data/demo/demo_observations.xlsx is in the template format and is loaded
once, on the dashboard's first run, into an empty database. Every row's source starts
with 示例数据 and the batch kind is "demo", so pages show a banner while it is present;
`python -m loaders remove-demo` deletes it for good.

Regenerate the workbook with `python -m loaders.demo` after changing DEMO_SERIES.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as XlsxWorkbook

from indicators.catalogue import Catalogue, load_catalogue
from indicators.store import BatchResult, Store
from indicators.tabular_files import first_sheet
from indicators.vocabulary import DEMO_SOURCE_MARK
from loaders.importer import prepare_import, publish
from loaders.template import DATA_SHEET, TEMPLATE_HEADERS

DEMO_WORKBOOK = Path(__file__).resolve().parent.parent / "data" / "demo" / "demo_observations.xlsx"
DEMO_SOURCE = f"{DEMO_SOURCE_MARK}（虚构数字，仅供演示，不代表官方统计）"
DEMO_USER = "demo"
PRELIMINARY_FROM = 2024  # the latest year's figures are 初步 (preliminary), as in real communiqués

# (region, indicator) → {year: value}. Invented; chosen to show every status colour.
DEMO_SERIES: dict[tuple[str, str], dict[int, float]] = {
    ("天津市", "单位地区生产总值能耗下降率"): {2021: 3.2, 2022: 1.5, 2023: 3.1, 2024: 2.8},
    ("天津市", "工业战略性新兴产业增加值占规模以上工业增加值比重"): {2020: 26.1, 2021: 26.8, 2022: 27.5, 2023: 28.9, 2024: 30.2},
    ("天津市", "国家高新技术企业数量"): {2020: 7420, 2021: 9198, 2022: 10200, 2023: 11100, 2024: 11900},
    ("天津市", "非化石能源消费比重"): {2020: 7.8, 2021: 8.6, 2022: 9.3, 2023: 10.1, 2024: 10.8},
    ("天津市", "空气质量优良天数比例"): {2020: 65.0, 2021: 72.3, 2022: 65.8, 2023: 67.1, 2024: 69.4},
    ("天津市", "畜禽粪污资源化利用率"): {2020: 80.0, 2021: 82.5, 2022: 84.0, 2023: 86.0, 2024: 88.0},
    ("天津市", "主要农作物秸秆综合利用率"): {2020: 97.0, 2021: 97.3, 2022: 97.6, 2023: 97.8, 2024: 98.1},
    ("天津市", "市级以上农业产业化龙头企业数量"): {2020: 110, 2021: 120, 2022: 128, 2023: 136, 2024: 142},
    ("天津市", "农业产业化联合体数量"): {2020: 8, 2021: 10, 2022: 13, 2023: 15, 2024: 18},
    ("天津市", "港作船舶岸电使用率"): {2020: 60.0, 2021: 72.0, 2022: 81.0, 2023: 88.0, 2024: 93.0},
    ("天津市", "建成区黑臭水体整治成效保持数量"): {2020: 26, 2021: 26, 2022: 26, 2023: 25, 2024: 26},
    ("天津市", "一级管控区森林（绿化）覆盖率"): {2020: 16.0, 2021: 18.5, 2022: 20.1, 2023: 22.0, 2024: 23.4},
    ("湛江市", "单位地区生产总值能耗"): {2020: 0.520, 2021: 0.508, 2022: 0.497, 2023: 0.480, 2024: 0.470},
    ("湛江市", "单位地区生产总值二氧化碳排放下降率"): {2021: 3.5, 2022: 2.1, 2023: 4.0, 2024: 3.3},
    ("湛江市", "非化石能源装机比重"): {2020: 38.5, 2021: 40.2, 2022: 42.9, 2023: 45.6, 2024: 47.9},
    ("湛江市", "中心城区污水处理率"): {2020: 95.2, 2021: 96.0, 2022: 96.8, 2023: 97.5, 2024: 98.1},
    ("湛江市", "生活垃圾无害化处理率"): {2020: 100.0, 2021: 100.0, 2022: 100.0, 2023: 100.0, 2024: 99.8},
}
# Districts and counties, so the comparison page has regions to rank (against the city's target).
DEMO_SERIES.update({
    ("滨海新区", "空气质量优良天数比例"): {2020: 63.1, 2021: 70.2, 2022: 64.0, 2023: 65.2, 2024: 66.8},
    ("和平区", "空气质量优良天数比例"): {2020: 66.2, 2021: 73.5, 2022: 67.1, 2023: 68.4, 2024: 70.9},
    ("武清区", "空气质量优良天数比例"): {2020: 62.0, 2021: 69.0, 2022: 61.9, 2023: 62.5, 2024: 63.0},
    ("蓟州区", "空气质量优良天数比例"): {2020: 70.5, 2021: 76.2, 2022: 71.0, 2023: 72.6, 2024: 74.1},
    ("廉江市", "生活垃圾无害化处理率"): {2020: 98.0, 2021: 99.0, 2022: 100.0, 2023: 100.0, 2024: 100.0},
    ("雷州市", "生活垃圾无害化处理率"): {2020: 96.5, 2021: 97.2, 2022: 98.4, 2023: 99.1, 2024: 99.5},
    ("吴川市", "生活垃圾无害化处理率"): {2020: 100.0, 2021: 100.0, 2022: 100.0, 2023: 100.0, 2024: 100.0},
})
# A within-year figure (January–September 2025), to show time progress by month.
DEMO_MONTHLY = [("天津市", "空气质量优良天数比例", 2025, 9, 68.9)]


def build_demo_workbook(out: Path, catalogue: Catalogue) -> int:
    """Write the demo workbook in the template format; returns the row count."""
    units = {ind.name_zh: ind.unit for ind in catalogue.indicators.values()}
    book = XlsxWorkbook()
    sheet = first_sheet(book, DATA_SHEET)
    sheet.append(TEMPLATE_HEADERS)
    rows = 0
    for (region, indicator), series in DEMO_SERIES.items():
        for year, value in sorted(series.items()):
            status = "初步" if year >= PRELIMINARY_FROM else "正式"
            sheet.append([region, indicator, year, None, value, units[indicator], status, DEMO_SOURCE, None])
            rows += 1
    for region, indicator, year, month, value in DEMO_MONTHLY:
        sheet.append([region, indicator, year, month, value, units[indicator], "初步", DEMO_SOURCE, f"{year}年1-{month}月"])
        rows += 1
    book.save(out)
    return rows


def seed_demo_if_first_run(store: Store, catalogue: Catalogue, workbook: Path = DEMO_WORKBOOK) -> BatchResult | None:
    """Load the demo workbook once, into an empty database only; later runs never bring it back."""
    if store.meta("demo_seeded_at") is not None or store.observation_count() > 0:
        return None
    preview = prepare_import(workbook, catalogue, store)
    result = publish(preview, store, DEMO_USER, note="示例数据 / demo data", kind="demo")
    store.mark_demo_seeded()
    return result


if __name__ == "__main__":
    count = build_demo_workbook(DEMO_WORKBOOK, load_catalogue())
    print(f"wrote {count} rows to {DEMO_WORKBOOK}")
