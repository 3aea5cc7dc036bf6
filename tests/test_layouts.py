"""Layouts recognised from the cells alone, and the traps of published tables, end to end through prepare_import."""

from __future__ import annotations

import pytest

from loaders.errors import LoaderError
from loaders.importer import prepare_import
from loaders.overrides import OverrideText
from tests.hostile_files import sheet_xml, xlsx_bytes
from tests.tables import csv, xlsx

AIR = "空气质量优良天数比例"
HIGH_TECH = "国家高新技术企业数量"


def prepare(path, catalogue, store, **typed):
    return prepare_import(path, catalogue, store, overrides=OverrideText(**typed), use_recipes=False)


def by_key(preview) -> dict[tuple[str, str, int], float]:
    return {(r.region_id, r.indicator_id, r.year): r.value for r in preview.rows.itertuples()}


def warnings_zh(preview) -> str:
    return " ".join(w.message_zh for w in preview.warnings)


COMMUNIQUE = [
    ["2023年天津市国民经济和社会发展统计公报主要指标"],
    ["Main Indicators of Tianjin"],
    [None],
    ["指  标  Item", "2021年", "2022年", "2023年"],
    ["一、空气质量优良天数比例(%)", "72.3", "６５．８", "68.2%"],
    ["  Share of days with good air quality"],
    ["2.单位地区生产总值能耗下降率（%）", 3.2, "—", 2.1],
    ["  #国家高新技术企业数量(家)", "9,198", "10,500", 11200],
    ["地区生产总值（亿元）", 15695, 16311, 16737],
    [None],
    ["注：2023年为初步核算数。"],
]


def test_communique_indicators_by_years_reads_title_units_numbering_text_numbers_and_footnotes(tmp_path, catalogue, store):
    preview = prepare(xlsx(tmp_path / "公报.xlsx", {"公报": COMMUNIQUE}), catalogue, store)
    got = by_key(preview)
    assert preview.layout == "indicators_by_years" and "指标为行、年份为列" in preview.description_zh
    assert got[("tianjin", "good_air_quality_days_ratio", 2021)] == 72.3  # number stored as text
    assert got[("tianjin", "good_air_quality_days_ratio", 2022)] == 65.8  # full-width digits
    assert got[("tianjin", "good_air_quality_days_ratio", 2023)] == 68.2  # '68.2%'
    assert got[("tianjin", "high_tech_enterprises", 2021)] == 9198  # '#' of-which row, thousands separator
    assert ("tianjin", "energy_intensity_annual_decline", 2022) not in got and preview.missing == 1  # '—' is missing
    assert len(got) == 8  # the footnote and the English line hold no values; GDP is not in the catalogue
    assert [s.labels for s in preview.skipped] == [["地区生产总值(亿元)"]]
    assert "地区“天津市”是从表格标题推断的" in warnings_zh(preview)


def test_region_override_replaces_the_title_guess_without_a_warning(tmp_path, catalogue, store):
    preview = prepare(xlsx(tmp_path / "公报.xlsx", {"公报": COMMUNIQUE}), catalogue, store, region="湛江")
    assert set(preview.rows["region_id"]) == {"zhanjiang"}
    assert "推断" not in warnings_zh(preview)


@pytest.mark.parametrize("unit_line", ["单位：万吨", "单位:万吨", "计量单位：万吨"])
def test_a_unit_line_above_the_table_converts_every_value_with_a_warning(unit_line, tmp_path, catalogue, store):
    rows = [["各市二氧化碳排放量"], [unit_line], ["城市", 2019, 2020], ["天津", 15846.65, 15000], ["广东湛江", 5701.55, None]]
    preview = prepare(xlsx(tmp_path / "t.xlsx", {"Sheet1": rows}), catalogue, store)
    got = by_key(preview)
    assert preview.layout == "regions_by_years"  # the indicator comes from the title
    assert got[("tianjin", "co2_emissions", 2019)] == pytest.approx(158.4665)  # 万吨 → 百万吨
    assert got[("zhanjiang", "co2_emissions", 2019)] == pytest.approx(57.0155)
    assert "已将单位“万吨”换算为“百万吨”（×0.01，共 3 个数值）" in warnings_zh(preview)


def test_years_written_as_numbers_floats_text_and_prefixed_text_are_all_columns(tmp_path, catalogue, store):
    rows = [["地区", "2019", 2020.0, "2021年", "C2022", 2023], ["天津", 1, 2, 3, 4, 5]]
    preview = prepare(xlsx(tmp_path / "y.xlsx", {"Sheet1": rows}), catalogue, store, indicators=[HIGH_TECH])
    assert sorted(preview.rows["year"]) == [2019, 2020, 2021, 2022, 2023]


def test_merged_bilingual_multi_row_header_with_a_code_column_matches_districts_by_code(tmp_path, catalogue, store):
    rows = [
        ["表3 2022年各区主要指标"],
        ["代码", "地区", AIR, HIGH_TECH],
        [None, None, "(%)", "(家)"],
        [None, "Region", "Share of good days", "High-tech enterprises"],
        [120000, "天津市", 65.8, 10500],
        [120101, "和平区", 70.1, 300],
        ["120116", "滨海新区", "66", "4,100"],
        [210102, "和平区", 80.0, 50],  # Shenyang's 和平区: same name, other code
    ]
    preview = prepare(xlsx(tmp_path / "b.xlsx", {"Sheet1": rows}, merges={"Sheet1": ["A2:A3", "B2:B3"]}), catalogue, store)
    got = by_key(preview)
    assert preview.layout == "regions_by_indicators"
    assert got[("tianjin_heping", "good_air_quality_days_ratio", 2022)] == 70.1
    assert got[("tianjin_binhai", "high_tech_enterprises", 2022)] == 4100
    assert len(got) == 6 and preview.skipped[0].labels == ["210102 和平区"]
    assert "年份“2022”是从表格标题推断的" in warnings_zh(preview)


def test_bare_district_names_need_their_city_somewhere_in_the_table(tmp_path, catalogue, store):
    rows = [["各区空气质量"], ["地区", AIR], ["天津市", 65.8], ["和平区", 70.1]]
    preview = prepare(xlsx(tmp_path / "d.xlsx", {"Sheet1": rows}), catalogue, store, year="2022")
    assert set(preview.rows["region_id"]) == {"tianjin"}
    assert "多个城市" in preview.skipped[0].reason_zh and preview.skipped[0].labels == ["和平区"]
    rows[0] = ["天津市各区空气质量"]
    preview = prepare(xlsx(tmp_path / "d2.xlsx", {"Sheet1": rows}), catalogue, store, year="2022")
    assert set(preview.rows["region_id"]) == {"tianjin", "tianjin_heping"}


def test_province_prefixed_city_names_match_only_within_their_province(tmp_path, catalogue, store):
    rows = [["city", "2019", "2020"], ["广东湛江", 57.0, 58.0], ["江苏湛江", 1.0, 2.0], ["天津", 158.5, 150.0]]
    preview = prepare(xlsx(tmp_path / "m.xlsx", {"emission matrix": rows}), catalogue, store, indicators=["二氧化碳排放量"])
    assert set(preview.rows["region_id"]) == {"zhanjiang", "tianjin"}
    assert preview.skipped[0].labels == ["江苏湛江"]


def test_one_sheet_per_year_after_a_note_sheet_imports_every_year(tmp_path, catalogue, store):
    sheets = {
        "NOTE": [["Unit/单位", "%"], ["Type/类型", AIR]],
        "2021": [["地区", AIR], ["天津", 72.3], ["广东湛江", 95.1]],
        "2022": [["地区", AIR], ["天津", 65.8], ["广东湛江", 94.0]],
    }
    preview = prepare(xlsx(tmp_path / "c.xlsx", sheets), catalogue, store)
    assert preview.sheet == "2021、2022" and "每个工作表一份" in preview.description_zh
    assert by_key(preview)[("zhanjiang", "good_air_quality_days_ratio", 2022)] == 94.0 and len(preview.rows) == 4


def test_one_sheet_per_region_imports_every_region(tmp_path, catalogue, store):
    table = [["指标", "2021", "2022"], [AIR + "(%)", 72.3, 65.8]]
    preview = prepare(xlsx(tmp_path / "r.xlsx", {"天津": table, "湛江": [table[0], [AIR + "(%)", 95.1, 94.0]]}), catalogue, store)
    assert set(preview.rows["region_id"]) == {"tianjin", "zhanjiang"} and len(preview.rows) == 4


def test_a_second_usable_sheet_is_named_when_only_the_first_is_imported(tmp_path, catalogue, store):
    table = [["地区", "2021", "2022"], ["天津", 72.3, 65.8]]
    preview = prepare(xlsx(tmp_path / "two.xlsx", {"A": table, "B": table}), catalogue, store, indicators=[AIR])
    assert preview.sheet == "A" and "另有可导入的工作表：B" in warnings_zh(preview)


def test_bilingual_label_columns_and_wrapped_english_lines_are_one_row(tmp_path, catalogue, store):
    rows = [
        ["单位：%"],
        ["指标", "Item", 2021, 2022],
        [AIR, "Share of days with good", 72.3, 65.8],
        [None, "   air quality"],
        ["非化石能源消费比重", "Non-fossil share of energy", 8.1, 9.0],
    ]
    preview = prepare(xlsx(tmp_path / "bi.xlsx", {"Sheet1": rows}), catalogue, store, region="天津")
    assert len(preview.rows) == 4 and not preview.skipped


def test_values_without_any_unit_in_0_to_1_are_read_as_ratios_for_percent_indicators(tmp_path, catalogue, store):
    rows = [["地区", "2021", "2022"], ["天津", 0.723, 0.658]]
    preview = prepare(xlsx(tmp_path / "ratio.xlsx", {"Sheet1": rows}), catalogue, store, indicators=[AIR])
    assert sorted(preview.rows["value"]) == [pytest.approx(65.8), pytest.approx(72.3)]
    assert "已按比例换算为百分数" in warnings_zh(preview)


def test_an_explicit_unit_override_is_converted_like_a_unit_in_the_file(tmp_path, catalogue, store):
    rows = [["地区", "2021"], ["天津", 0.35]]
    preview = prepare(xlsx(tmp_path / "u.xlsx", {"Sheet1": rows}), catalogue, store, indicators=["单位地区生产总值能耗"],
                      unit="千克标准煤/元")
    assert preview.rows["value"].iloc[0] == pytest.approx(3.5)  # 千克标准煤/元 → 吨标准煤/万元 is ×10


def test_formula_cells_are_read_by_their_cached_values(tmp_path, catalogue, store):
    body = ('<row r="1"><c r="A1" t="inlineStr"><is><t>地区</t></is></c><c r="B1"><v>2021</v></c><c r="C1"><v>2022</v></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>天津</t></is></c><c r="B2"><f>SUM(70,2.3)</f><v>72.3</v></c>'
            '<c r="C2"><f>VLOOKUP("x",Z1:Z9,1,0)</f><v>65.8</v></c></row>')
    path = tmp_path / "formula.xlsx"
    path.write_bytes(xlsx_bytes({"Sheet1": sheet_xml(body)}))
    preview = prepare(path, catalogue, store, indicators=[AIR])
    assert sorted(preview.rows["value"]) == [65.8, 72.3]


def test_records_with_region_and_year_columns_take_indicators_from_the_value_headers(tmp_path, catalogue, store):
    rows = [["ID", "城市", "年份", AIR, "GDP"], ["天津2021", "天津", 2021, 72.3, 15695], ["湛江2021", "湛江", 2021, 95.1, 3560]]
    preview = prepare(xlsx(tmp_path / "rec.xlsx", {"Sheet1": rows}), catalogue, store, unit="%")
    assert preview.layout == "records" and len(preview.rows) == 2
    assert preview.skipped[0].labels == ["GDP"]


def test_a_template_without_the_indicator_column_takes_it_from_the_override(tmp_path, catalogue, store):
    rows = [["地区", "年份", "数值", "单位"], ["天津", 2021, 9198, "家"]]
    path = xlsx(tmp_path / "noind.xlsx", {"数据": rows})
    preview = prepare(path, catalogue, store, indicators=[HIGH_TECH])
    assert by_key(preview) == {("tianjin", "high_tech_enterprises", 2021): 9198}


def test_a_label_mapping_imports_a_row_the_catalogue_does_not_spell(tmp_path, catalogue, store):
    rows = [["指标", 2021, 2022], ["能耗下降（%）", 3.2, 2.5], ["其他", 1, 2]]
    path = xlsx(tmp_path / "map.xlsx", {"Sheet1": rows})
    with pytest.raises(LoaderError, match="既不是目录中的指标"):
        prepare(path, catalogue, store, region="天津")
    preview = prepare(path, catalogue, store, region="天津", indicators=["能耗下降=单位地区生产总值能耗下降率"])
    assert set(preview.rows["indicator_id"]) == {"energy_intensity_annual_decline"} and len(preview.rows) == 2


def test_gbk_csv_of_regions_by_years_is_read(tmp_path, catalogue, store):
    path = csv(tmp_path / "gbk.csv", [["地区", "2021年", "2022年"], ["天津市", "72.3", "65.8"]], encoding="gbk")
    preview = prepare(path, catalogue, store, indicators=[AIR])
    assert len(preview.rows) == 2


def test_layout_override_that_contradicts_the_table_is_refused(tmp_path, catalogue, store):
    path = xlsx(tmp_path / "b.xlsx", {"Sheet1": [["地区", AIR], ["天津", 72.3]]})
    with pytest.raises(LoaderError, match="表头中没有年份"):
        prepare(path, catalogue, store, layout="regions_by_years")


def test_a_grid_without_the_dimension_on_neither_axis_asks_for_it(tmp_path, catalogue, store):
    path = xlsx(tmp_path / "noyear.xlsx", {"Sheet1": [["地区", AIR], ["天津", 72.3]]})
    with pytest.raises(LoaderError, match=r"没有注明年份.*--year"):
        prepare(path, catalogue, store)


def test_an_unrecognised_table_is_refused_quoting_its_headers_and_labels(tmp_path, catalogue, store):
    rows = [["能源平衡表"], ["项目", "原煤", "焦炭"], ["一次能源生产量", 1.0, 2.0]]
    with pytest.raises(LoaderError) as caught:
        prepare(xlsx(tmp_path / "eb.xlsx", {"Sheet1": rows}), catalogue, store)
    message = str(caught.value)
    assert "未能识别“能源平衡表”的版式" in message and "原煤" in message and "一次能源生产量" in message


def test_a_lone_count_that_looks_like_a_year_is_data_under_its_header(tmp_path, catalogue, store):
    rows = [["地区", HIGH_TECH], ["广东湛江", 1234]]
    preview = prepare(xlsx(tmp_path / "lone.xlsx", {"Sheet1": rows}), catalogue, store, year="2022")
    assert preview.layout == "regions_by_indicators"
    assert by_key(preview) == {("zhanjiang", "high_tech_enterprises", 2022): 1234}



# Record tables (地区, 指标, 数值, 单位) without a year or region column: the sheet's name, else --year/--region, gives it.

RECORD_HEADER = ["地区", "指标", "数值", "单位"]


def year_sheet(tianjin: object, zhanjiang: object) -> list[list[object]]:
    return [RECORD_HEADER, ["天津", AIR, tianjin, "%"], ["广东湛江", AIR, zhanjiang, "%"], ["北京", AIR, 80.0, "%"]]


def test_sheet_per_year_record_tables_import_together_with_each_sheets_year(tmp_path, catalogue, store):
    sheets = {"2021": year_sheet(72.3, 95.1), "2022年": year_sheet(65.8, 94.0), "2023": year_sheet(68.2, 96.0)}
    preview = prepare(xlsx(tmp_path / "years.xlsx", sheets), catalogue, store)
    got = by_key(preview)
    assert preview.layout == "records" and preview.sheet == "2021、2022年、2023"
    assert "每个工作表一份（3 个工作表" in preview.description_zh and "取自工作表名" in preview.description_zh
    assert got == {("tianjin", "good_air_quality_days_ratio", 2021): 72.3, ("zhanjiang", "good_air_quality_days_ratio", 2021): 95.1,
                   ("tianjin", "good_air_quality_days_ratio", 2022): 65.8, ("zhanjiang", "good_air_quality_days_ratio", 2022): 94.0,
                   ("tianjin", "good_air_quality_days_ratio", 2023): 68.2, ("zhanjiang", "good_air_quality_days_ratio", 2023): 96.0}
    assert [s.labels for s in preview.skipped] == [["北京", "北京", "北京"]]  # outside the catalogue: skipped, not errors
    inferred = [w for w in preview.warnings if "推断" in w.message_zh]
    assert [(w.sheet, w.message_zh) for w in inferred] == [
        ("2021", "年份“2021”是从工作表名推断的。"), ("2022年", "年份“2022”是从工作表名推断的。"), ("2023", "年份“2023”是从工作表名推断的。")]


def test_a_single_year_named_sheet_says_in_the_preview_that_its_year_came_from_the_sheet_name(tmp_path, catalogue, store):
    preview = prepare(xlsx(tmp_path / "one.xlsx", {"2021年": year_sheet(72.3, 95.1)}), catalogue, store)
    assert set(preview.rows["year"]) == {2021} and len(preview.rows) == 2
    assert "年份：2021（来自工作表名）" in preview.description_zh
    assert "年份“2021”是从工作表名推断的" in warnings_zh(preview)


def test_a_problem_on_a_year_sheet_names_that_sheet_and_its_cell(tmp_path, catalogue, store):
    sheets = {"2021": year_sheet(72.3, 95.1), "2022": year_sheet(65.8, "abc")}
    with pytest.raises(LoaderError) as caught:
        prepare(xlsx(tmp_path / "bad.xlsx", sheets), catalogue, store)
    assert [(p.sheet, p.cell) for p in caught.value.problems] == [("2022", "C3")]


def test_the_year_override_gives_the_year_when_the_sheet_name_says_nothing(tmp_path, catalogue, store):
    preview = prepare(xlsx(tmp_path / "data.xlsx", {"数据": year_sheet(72.3, 95.1)}), catalogue, store, year="2021")
    assert set(preview.rows["year"]) == {2021} and len(preview.rows) == 2
    assert "推断" not in warnings_zh(preview)


def test_a_record_table_without_a_year_on_a_sheet_not_named_as_a_year_is_refused_naming_the_sheet(tmp_path, catalogue, store):
    with pytest.raises(LoaderError) as caught:
        prepare(xlsx(tmp_path / "twin.xlsx", {"数据": year_sheet(72.3, 95.1)}), catalogue, store)
    [problem] = caught.value.problems
    assert problem.sheet == "数据" and problem.cell == "A1"
    assert "工作表“数据”的记录表没有“年份”列，工作表名“数据”也不是年份" in problem.message_zh
    assert "without a year column" in problem.message_en
    assert problem.hint_zh == "请把工作表命名为年份（如“2021”“2021年”），或在表头加“年份”列，或用 --year 指定（如 --year 2023）。"
    assert "pass --year 2023" in problem.hint_en


def test_sheet_per_region_record_tables_take_each_sheets_region(tmp_path, catalogue, store):
    header = ["指标", "年份", "数值", "单位"]
    sheets = {"天津市": [header, [AIR, 2021, 72.3, "%"], [AIR, 2022, 65.8, "%"]],
              "湛江": [header, [AIR, 2021, 95.1, "%"], [HIGH_TECH, 2021, 320, "家"]]}
    preview = prepare(xlsx(tmp_path / "regions.xlsx", sheets), catalogue, store)
    assert preview.layout == "records" and preview.sheet == "天津市、湛江"
    assert by_key(preview) == {("tianjin", "good_air_quality_days_ratio", 2021): 72.3, ("tianjin", "good_air_quality_days_ratio", 2022): 65.8,
                               ("zhanjiang", "good_air_quality_days_ratio", 2021): 95.1, ("zhanjiang", "high_tech_enterprises", 2021): 320}
    assert "地区“天津市”是从工作表名推断的" in warnings_zh(preview) and "地区“湛江市”是从工作表名推断的" in warnings_zh(preview)


def test_a_record_table_without_a_region_on_a_sheet_not_named_as_a_region_is_refused(tmp_path, catalogue, store):
    path = xlsx(tmp_path / "noregion.xlsx", {"Sheet1": [["指标", "年份", "数值", "单位"], [AIR, 2021, 72.3, "%"]]})
    with pytest.raises(LoaderError, match=r"没有“地区”列.*--region"):
        prepare(path, catalogue, store)
    assert set(prepare(path, catalogue, store, region="天津").rows["region_id"]) == {"tianjin"}


def test_the_template_without_its_year_column_is_a_record_table_on_a_year_sheet_and_refused_as_a_template(tmp_path, catalogue, store):
    rows = [["地区", "指标", "月份", "数值", "单位", "状态", "来源", "备注"], ["天津", AIR, None, 72.3, "%", "正式", "公报", None]]
    path = xlsx(tmp_path / "tpl.xlsx", {"2021": rows})
    preview = prepare(path, catalogue, store)
    assert preview.layout == "records" and by_key(preview) == {("tianjin", "good_air_quality_days_ratio", 2021): 72.3}
    assert preview.rows["source"].iloc[0] == "公报"
    with pytest.raises(LoaderError, match="找不到模板表头"):
        prepare(path, catalogue, store, layout="long_template")


def test_a_yearless_sheet_beside_year_sheets_is_named_as_not_imported(tmp_path, catalogue, store):
    sheets = {"2021": year_sheet(72.3, 95.1), "数据": year_sheet(1.0, 2.0), "2022": year_sheet(65.8, 94.0)}
    preview = prepare(xlsx(tmp_path / "mixed.xlsx", sheets), catalogue, store)
    assert preview.sheet == "2021、2022" and set(preview.rows["year"]) == {2021, 2022} and len(preview.rows) == 4
    [left_out] = [w for w in preview.warnings if w.sheet == "数据"]
    assert left_out.message_zh.startswith("工作表“数据”未导入：工作表“数据”的记录表没有“年份”列") and "--year" in left_out.hint_zh


def test_sheets_named_with_region_and_year_give_both_to_a_table_of_indicators_and_values(tmp_path, catalogue, store):
    header = ["指标", "数值", "单位"]
    sheets = {"天津2021": [header, [AIR, 72.3, "%"]], "天津2022": [header, [AIR, 65.8, "%"]], "湛江2021": [header, [AIR, 95.1, "%"]]}
    preview = prepare(xlsx(tmp_path / "both.xlsx", sheets), catalogue, store)
    assert by_key(preview) == {("tianjin", "good_air_quality_days_ratio", 2021): 72.3, ("tianjin", "good_air_quality_days_ratio", 2022): 65.8,
                               ("zhanjiang", "good_air_quality_days_ratio", 2021): 95.1}
