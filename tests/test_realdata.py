"""Every real statistical file in tests/fixtures/realdata either imports correctly or is refused with a reason.

The files are byte-for-byte copies of /work/shared/realdata (see SOURCES.txt there and here), so these tests
never skip. Imported values are checked against the cells as openpyxl reads them — a second reader, not
the one the importer uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from indicators.catalogue import match_key
from loaders.errors import LoaderError
from loaders.export import export_frame
from loaders.importer import prepare_import, publish
from loaders.layouts import read_table
from loaders.layouts.rawtable import Hints
from loaders.matching import Matcher
from loaders.overrides import Overrides, OverrideText
from loaders.read import read_workbook

REALDATA = Path(__file__).resolve().parent / "fixtures" / "realdata"
CITIES = REALDATA / "Open-Earth-Foundation_OpenClimate" / "The_Emission_Inventories_for_290_Chinese_Cities_from_1997_to_2019.xlsx"
PROVINCES = REALDATA / "Open-Earth-Foundation_OpenClimate" / "Emission_Inventories_for_30_Provinces_2019.xlsx"
NATIONAL = REALDATA / "Open-Earth-Foundation_OpenClimate" / "China_CO2_Inventory_1997-2019_(IPCC_Sectoral_Emissions).xlsx"
COUNTIES = REALDATA / "STATS201-DKU-Autumn2024_Week1_Yuxiang" / "co2.xlsx"
YEARBOOK = REALDATA / "zhangda1021_data"
ENERGY_BALANCES = ["0401.xls", "2.xls", "19.xls", "0503.xls", "fu04.xls"]
NATIONAL_YEAR_TABLES = ["0501.xls", "0504.xls"]
EMISSIONS = "二氧化碳排放量"


def cells(path: Path, sheet: str, *refs: str) -> list[float]:
    """The cached values of some cells, read with openpyxl (not the importer's reader)."""
    book = load_workbook(path, data_only=True)
    try:
        return [book[sheet][ref].value for ref in refs]
    finally:
        book.close()


def values(preview) -> dict[tuple[str, int], float]:
    return {(r.region_id, r.year): r.value for r in preview.rows.itertuples()}


def prepare(path: Path, catalogue, store, **typed):
    return prepare_import(path, catalogue, store, overrides=OverrideText(**typed), use_recipes=False)


def test_every_fixture_file_is_a_verbatim_copy_listed_in_sources():
    sources = (REALDATA / "SOURCES.txt").read_text(encoding="utf-8")
    files = [p for p in REALDATA.rglob("*") if p.suffix in (".xls", ".xlsx")]
    assert len(files) == 11
    assert all(p.name in sources for p in files)


def test_ceads_city_matrix_imports_tianjin_and_zhanjiang_totals_matching_the_cells(catalogue, store):
    preview = prepare(CITIES, catalogue, store, sheet="emission matrix", indicators=[EMISSIONS])
    got = values(preview)
    assert preview.layout == "regions_by_years" and "地区为行、年份为列" in preview.description_zh
    assert set(preview.rows["region_id"]) == {"tianjin", "zhanjiang"}
    assert set(preview.rows["indicator_id"]) == {"co2_emissions"} and set(preview.rows["unit"]) == {"百万吨"}
    zhanjiang_2019, tianjin_1997 = cells(CITIES, "emission matrix", "Y55", "C260")  # 广东湛江 2019, 天津 1997
    assert got[("zhanjiang", 2019)] == pytest.approx(zhanjiang_2019)
    assert got[("tianjin", 1997)] == pytest.approx(tianjin_1997)
    assert min(y for r, y in got if r == "zhanjiang") == 2001  # 1995–2000 are blank for 湛江: left out, not zeros
    assert len(preview.rows) == 23 + 18
    skipped = {s.reason_zh: s.count for s in preview.skipped}
    assert skipped == {"地区不在地区目录中": 288}
    result = publish(preview, store, "tester")
    assert result.new == 41
    assert export_frame(store, catalogue)["指标"].unique().tolist() == [EMISSIONS]


def test_ceads_city_workbook_without_options_reads_the_first_data_sheet_and_says_what_it_inferred(catalogue, store):
    preview = prepare(CITIES, catalogue, store)
    assert preview.sheet == "emission vector" and preview.layout == "records"  # the NOTE sheet comes first
    assert values(preview)[("zhanjiang", 2019)] == pytest.approx(cells(CITIES, "emission vector", "D3146")[0])
    warnings = " ".join(w.message_zh for w in preview.warnings)
    assert "说明工作表推断" in warnings  # 'CO2 二氧化碳排放' and 'million tones 百万吨' from the NOTE sheet
    assert "emission matrix" in warnings  # the other importable sheet is named


@pytest.mark.slow  # imports the whole 1 MB county workbook
def test_county_file_imports_the_catalogue_districts_by_administrative_code(catalogue, store):
    preview = prepare(COUNTIES, catalogue, store, indicators=[EMISSIONS])
    got = values(preview)
    assert preview.layout == "regions_by_years"
    assert len({r for r, _ in got}) == 25 and len(preview.rows) == 25 * 21  # 16 Tianjin + 9 Zhanjiang divisions, C1997..C2017
    chikan, binhai, ninghe = cells(COUNTIES, "Unit (Million tons)", "AB344", "H2394", "AB2395")
    assert got[("zhanjiang_chikan", 2017)] == pytest.approx(chikan)  # 440802 赤坎区, C2017
    assert got[("tianjin_binhai", 1997)] == pytest.approx(binhai)  # 120116 滨海新区, C1997
    assert got[("tianjin_ninghe", 2017)] == pytest.approx(ninghe)  # 120221 宁河县: a former code
    skipped = {s.reason_zh: s for s in preview.skipped}
    assert skipped["地区不在地区目录中"].count == 2735 - 25 - 3
    suffixed = next(s for reason, s in skipped.items() if "带后缀" in reason)
    assert suffixed.count == 3 and "320211（2）" in suffixed.labels[0]
    assert "210102 和平区" in skipped["地区不在地区目录中"].labels  # Shenyang's 和平区 is not Tianjin's


@pytest.mark.slow  # reads the whole 1 MB county workbook
def test_county_file_without_an_indicator_is_refused_asking_for_one(catalogue, store):
    with pytest.raises(LoaderError) as caught:
        prepare(COUNTIES, catalogue, store)
    assert "没有注明指标" in str(caught.value) and "--indicator" in str(caught.value)


def refusal_of(path, catalogue, store, **options) -> str:
    """The message a file is refused with, after checking that nothing was written."""
    with pytest.raises(LoaderError) as caught:
        prepare(path, catalogue, store, **options)
    assert store.batches().empty
    return str(caught.value)


@pytest.mark.slow  # reads the whole 1 MB county workbook
def test_emission_totals_cannot_be_imported_as_an_intensity(catalogue, store):
    message = refusal_of(COUNTIES, catalogue, store, indicators=["单位地区生产总值二氧化碳排放"])
    assert "Million tons" in message and "吨二氧化碳/万元" in message and "无法换算" in message


@pytest.mark.parametrize("name", ENERGY_BALANCES)
def test_energy_balance_and_conversion_tables_are_refused_as_holding_no_catalogue_indicator(name, catalogue, store):
    message = refusal_of(YEARBOOK / name, catalogue, store)
    assert f"文件 {name}" in message and "不含本看板目录中的指标" in message


@pytest.mark.parametrize("name", NATIONAL_YEAR_TABLES)
def test_national_yearbook_series_are_refused_naming_the_missing_indicator_and_region(name, catalogue, store):
    with pytest.raises(LoaderError) as caught:
        prepare(YEARBOOK / name, catalogue, store)
    message = str(caught.value)
    assert "表头是年份" in message and "既不是目录中的指标，也不是目录中的地区" in message
    assert "全国数据不在地区目录中" in message


def test_yearbook_5_1_is_read_cell_for_cell_with_units_from_labels_and_section_headings(catalogue):
    """0501.xls through the layout reader: years stored as 2007.0, units inside labels, '构成 (%)' headings."""
    book = read_workbook(YEARBOOK / "0501.xls")
    label_map = {match_key("天然气"): "co2_emissions", match_key("煤炭"): "co2_emissions"}
    table = read_table(book, book.sheets[0], Matcher(catalogue), Overrides(label_map=label_map, region="tianjin"), Hints())
    frame = table.frame.assign(cell=[f"{chr(65 + c)}{r + 1}" for r, c in zip(table.frame["row"], table.frame["col"], strict=True)])
    by_cell = frame.set_index("cell")
    assert table.layout == "indicators_by_years"
    assert (by_cell.loc["H14", "value_raw"], by_cell.loc["H14", "year"], by_cell.loc["H14", "unit"]) == (695.23, 2007, "亿立方米")
    assert (by_cell.loc["H12", "unit"], by_cell.loc["H20", "unit"], by_cell.loc["H20", "value_raw"]) == ("万吨", "%", 72.82)
    assert by_cell.loc["B20", "year"] == 1995 and by_cell.loc["H30", "unit"] == "%"  # the second 构成 (%) block
    assert len(frame) == 6 * 7  # 煤炭 and 天然气 in three blocks × seven years; the English lines hold no values


def test_mapping_a_yearbook_row_to_an_indicator_of_another_unit_is_refused(catalogue, store):
    with pytest.raises(LoaderError, match="亿立方米"):
        prepare(YEARBOOK / "0501.xls", catalogue, store, indicators=["天然气=非化石能源消费比重"], region="天津")
    assert store.batches().empty


def test_provincial_inventory_sheets_are_refused_together_with_one_reason(catalogue, store):
    with pytest.raises(LoaderError) as caught:
        prepare(PROVINCES, catalogue, store)
    problems = caught.value.problems
    assert len(problems) == 1 and "等 30 个工作表" in (problems[0].sheet or "")
    assert "列标题不是年份" in problems[0].message_zh and "Raw_Coal" in problems[0].message_zh


def test_national_inventory_is_refused_with_each_kind_of_sheet_explained(catalogue, store):
    with pytest.raises(LoaderError) as caught:
        prepare(NATIONAL, catalogue, store)
    text = str(caught.value)
    assert "Sum-Sec-Scope 1" in text and "全国数据不在地区目录中" in text  # sectors × years, national
    assert "等 23 个工作表" in text  # the per-year sheets: sectors × fuels
    assert "行标签如：1997、1998" in text  # the 'sum' sheet: years × fuels, formulas read by their cached values


@pytest.mark.slow  # imports the whole 1 MB county workbook
def test_import_command_previews_the_county_file_as_json_with_skips_and_publishes_nothing(tmp_path, command):
    env = {"GTM_USER": "测试员", "GTM_DB": str(tmp_path / "cli.duckdb"), "GTM_RECIPES_DIR": str(tmp_path / "none")}
    done = command("loaders", "import", str(COUNTIES), "--indicator", EMISSIONS, "--dry-run", "--json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["dry_run"] and result["counts"] == {"new": 525, "changed": 0, "unchanged": 0}
    assert result["layout"] == "regions_by_years" and result["layout_zh"].startswith("地区为行、年份为列")
    assert {s["reason"]: s["count"] for s in result["skipped"]}["地区不在地区目录中"] == 2707
    history = command("loaders", "history", "--json", env=env)
    assert json.loads(history.stdout) == []
