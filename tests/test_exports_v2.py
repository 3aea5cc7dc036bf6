"""The presenter's exports, opened and read back: the comparison's PNG (decoded), PPTX (python-pptx), CSV and xlsx;
the data behind every chart; file names in words; the deck's sources slide; the English deck; the overview PDF
(its pages decoded with pypdf, one per plan, Chinese text in it); reasons at the indicator's decimals and units.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from indicators.briefing.collect import collect_briefing
from indicators.briefing.comparison import build_comparison
from indicators.briefing.deck import build_deck
from indicators.briefing.files import briefing_xlsx, chart_csv
from indicators.briefing.names import deck_file_name, file_name, safe_stem
from indicators.briefing.overview_pdf import collect_overview, overview_html, overview_pdf
from indicators.display.labels import ORIGINAL_MARK, display_rows
from indicators.progress import assess_frame
from indicators.status import load_inputs
from indicators.store import Store

CJK = "\u4e00-\u9fff"


@pytest.fixture(scope="module")
def demo_store(read_only_demo_store) -> Store:
    return read_only_demo_store  # read only


def rows_of(catalogue, store, lang: str) -> pd.DataFrame:
    specs, observations = load_inputs(catalogue, store)
    return display_rows(assess_frame(specs, observations, reasons=True), catalogue, lang)


def air_comparison(catalogue, store, *, lang: str = "zh", method: str = "barometer"):
    plan = catalogue.plans["tianjin_2022"]
    rows = rows_of(catalogue, store, lang)
    selected = rows[(rows["plan"] == plan.id) & (rows["indicator"] == "good_air_quality_days_ratio")]
    target = next(t for t in plan.targets if t.indicator == "good_air_quality_days_ratio")
    return build_comparison(selected, plan, target, city_name=catalogue.regions[plan.region].name(lang), method=method,
                            lang=lang, sources=["天津市统计公报"])


def slide_texts(data: bytes) -> list[str]:
    texts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        texts.append("\n".join(parts))
    return texts


# --- file names ---------------------------------------------------------------------------------------------

def test_deck_files_are_named_in_words_in_either_language():
    assert deck_file_name("天津市", 2025, "zh") == "天津市绿色低碳目标进展_2025年.pptx"
    assert deck_file_name("Tianjin", 2025, "en") == "Tianjin_green_low-carbon_progress_2025.pptx"


@pytest.mark.parametrize("hostile", ['a/b\\c:d*e?f"g<h>i|j', "CON", "nul.txt", " . ", "x\x00y\ttab\nline", "..", "名" * 300])
def test_file_names_are_safe_on_every_operating_system(hostile):
    name = file_name([hostile, "数据"], 2025, "zh", ".csv")
    stem = name.removesuffix(".csv")
    assert not set('<>:"/\\|?*') & set(name) and all(ord(ch) >= 32 for ch in name)
    assert stem and not stem.endswith((".", " ")) and stem.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert len(stem.encode()) <= 255
    assert safe_stem("") == "export"


# --- the comparison -----------------------------------------------------------------------------------------

def test_comparison_honours_the_method_in_order_colours_and_title(catalogue, demo_store):
    barometer = air_comparison(catalogue, demo_store, method="barometer")
    ratio = air_comparison(catalogue, demo_store, method="ratio")
    assert "发改委晴雨表" in barometer.title and "增长率比值法" in ratio.title and "天津市" in ratio.title
    statuses = [str(s) for s in ratio.rows["status_ratio"]]
    bar_text = ratio.figure().data[0].text
    assert all(any(word in text for word in ("符合进度", "需加快", "进展有限", "倒退", "已完成", "无法评估")) for text in bar_text)
    assert len(statuses) == len(bar_text) >= 3


def test_comparison_csv_has_title_source_and_data_years_and_values_at_the_indicators_decimals(catalogue, demo_store):
    comparison = air_comparison(catalogue, demo_store)
    lines = list(csv.reader(io.StringIO(comparison.csv().decode("utf-8-sig"))))
    title, as_of_and_source, clause = (line[0] for line in lines[:3])
    assert "天津市" in title and "空气质量优良天数比例" in title and "发改委晴雨表" in title
    assert "数据截至" in as_of_and_source and "来源：天津市统计公报" in as_of_and_source
    assert "68%" in clause and lines[3] == []
    header, *records = lines[4:]
    assert header[:4] == ["地区", "最新值", "单位", "数据期"]
    latest = [r[1] for r in records if r[1]]
    assert latest and all(len(v.split(".")[1]) <= 1 for v in latest if "." in v)  # the indicator's 1 decimal, never 16.7000
    completion = [r[4] for r in records if r[4]]
    assert all(len(v.split(".")[1]) <= 1 for v in completion if "." in v)
    book = openpyxl.load_workbook(io.BytesIO(comparison.xlsx()))
    sheet = book.worksheets[0]
    assert "天津市" in str(sheet["A1"].value) and sheet["A1"].font.bold


@pytest.mark.slow
def test_comparison_png_and_pptx_carry_the_city_the_source_and_the_data_years(catalogue, demo_store):
    comparison = air_comparison(catalogue, demo_store)
    png = comparison.png()
    image = Image.open(io.BytesIO(png))
    assert image.size[0] >= 2000 and image.size[1] >= 500
    notes = " ".join(a.text for a in comparison.figure(1200).layout.annotations)
    assert "来源：天津市统计公报" in notes and "数据截至" in notes and "天津市" in comparison.title
    texts = slide_texts(comparison.pptx(png))
    assert len(texts) == 2
    assert comparison.title in texts[0] and "来源：天津市统计公报" in texts[0] and "数据截至" in texts[0]
    assert "武清区" in texts[1] and "判定依据" in texts[1]
    assert comparison.file_name(".pptx") == "天津市_空气质量优良天数比例_地区对比_2025年.pptx"


def test_english_comparison_is_english_with_the_plan_quoted_as_original(catalogue, demo_store):
    comparison = air_comparison(catalogue, demo_store, lang="en")
    lines = comparison.table().title_lines
    assert lines[0].startswith("Tianjin · Share of days with good air quality") and "NDRC barometer" in lines[0]
    assert ORIGINAL_MARK in lines[2]
    assert comparison.file_name(".csv") == "Tianjin_Share_of_days_with_good_air_quality_regional_comparison_2025.csv"


# --- the data behind the deck's charts ------------------------------------------------------------------------

def test_every_chart_of_the_deck_has_its_data_as_xlsx_and_csv_and_formulas_stay_text(catalogue, demo_store):
    briefing = collect_briefing(catalogue, demo_store, plan_id="zhanjiang_2023_draft")
    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing)))
    assert len(book.worksheets) == len(briefing.targets) + 1  # the barometer, then one sheet per chart
    assert "目标晴雨表" in str(book.worksheets[0]["A1"].value)
    first = briefing.targets[0]
    text = chart_csv(briefing, str(first.row["indicator"])).decode("utf-8-sig")
    assert str(first.row["indicator_name"]) in text.splitlines()[0] and "单位：" in text and "来源：" in text
    assert "年份,实际值" in text


def test_a_formula_in_a_source_is_written_as_text(catalogue, demo_store):
    from indicators.tabular_files import titled_csv_bytes

    data = titled_csv_bytes(["=HYPERLINK(\"x\")"], pd.DataFrame({"来源": ["@SUM(A1)", "+1", "ok"]}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["'=HYPERLINK(\"x\")"] and rows[3] == ["'@SUM(A1)"] and rows[4] == ["'+1"]


# --- the deck's sources slide and the English deck -----------------------------------------------------------

def test_sources_slide_cites_the_plan_by_title_issuer_and_date_never_a_file_path(catalogue, demo_store):
    briefing = collect_briefing(catalogue, demo_store, plan_id="tianjin_2022")
    sources = slide_texts(build_deck(briefing, [PNG_1PX] * len(briefing.targets)))[-1]
    assert "《天津市加快建立健全绿色低碳循环发展经济体系的实施方案》" in sources
    assert "天津市人民政府 · 2022-03-25印发 · 正式" in sources
    assert "data/plans" not in sources and ".txt" not in sources and "sources/" not in sources


def test_english_deck_has_english_titles_and_its_summary_fits_its_slides(catalogue, demo_store):
    briefing = collect_briefing(catalogue, demo_store, plan_id="tianjin_2022", lang="en")
    deck = build_deck(briefing, [PNG_1PX] * len(briefing.targets))
    texts = slide_texts(deck)
    assert briefing.plan.title_en in texts[0] and "Method: NDRC barometer" in texts[0]
    assert texts[1].count("Summary") >= 1 and "Cumulative reduction in energy use per unit of GDP" in "\n".join(texts[1:3])
    assert "Sources" in texts[-1] and "Issued by" in texts[-1] and "final" in texts[-1]
    for slide in Presentation(io.BytesIO(deck)).slides:  # no table runs past the footer (7.08 in)
        for shape in slide.shapes:
            if shape.has_table:
                bottom = shape.top + sum(row.height for row in shape.table.rows)
                assert bottom <= 7.08 * 914400, slide.shapes.title
    assert "需" not in texts[2] and "enterprises" in "\n".join(texts)


@pytest.mark.slow
def test_brief_command_writes_an_english_deck_named_in_words(command, demo_database, tmp_path):
    out = tmp_path / "decks"
    out.mkdir()
    result = command("indicators", "brief", "--db", str(demo_database), "--plan", "zhanjiang_2023_draft", "--lang", "en",
                     "--out", str(out), "--data", str(tmp_path / "data.xlsx"))
    assert result.returncode == 0, result.stderr
    deck = out / "Zhanjiang_green_low-carbon_progress_2025.pptx"
    assert deck.exists() and (tmp_path / "data.xlsx").exists()
    texts = slide_texts(deck.read_bytes())
    assert "Green Target Monitor" in texts[0] and "Summary" in texts[1]


# --- the overview PDF -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_overview_pdf_has_one_page_per_plan_with_its_chinese_text(catalogue, demo_store, tmp_path):
    import pypdf

    overview = collect_overview(catalogue, demo_store)
    pdf = overview_pdf(overview)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(catalogue.plans) == len(overview.pages)
    for page, plan in zip(reader.pages, catalogue.plans.values(), strict=True):
        text = unicodedata.normalize("NFKC", page.extract_text())  # CJK fonts map some glyphs to radicals
        # (its first words: a few glyphs, 见 among them, extract as radicals that NFKC leaves alone)
        assert plan.title_zh[:12] in text.replace("\n", "") and "数据截至" in text
        assert any(word in text for word in ("红灯", "黄灯", "绿灯", "已完成"))
    assert overview.file_name == "绿色低碳目标进展总览_2025年.pdf"


def test_overview_html_in_english_names_every_target_in_english(catalogue, demo_store):
    overview = collect_overview(catalogue, demo_store, lang="en", method="ratio")
    page = overview_html(overview)
    for plan_page in overview.pages:
        assert plan_page.plan.title_en in page
        for name in plan_page.rows["indicator_name"]:
            assert html.escape(str(name)) in page
    assert "Growth-rate ratio" in page and "第" not in page


# --- reasons in the indicator's decimals and units -----------------------------------------------------------

def test_reasons_use_the_indicators_decimals_and_english_units(catalogue, demo_store):
    zh = rows_of(catalogue, demo_store, "zh").set_index("series_id")
    en = rows_of(catalogue, demo_store, "en").set_index("series_id")
    series = "tianjin_2022|tianjin|high_tech_enterprises"
    assert "家（" in zh.loc[series, "explanation_zh"] and ".00家" not in zh.loc[series, "explanation_zh"]
    assert "enterprises" in en.loc[series, "explanation_en"] and "家" not in en.loc[series, "explanation_en"]


def _png_1px() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (820, 560), "white").save(out, format="PNG")
    return out.getvalue()


PNG_1PX = _png_1px()  # a chart stand-in: these tests read the deck's texts, not its pictures


# --- axes that do not mislead ------------------------------------------------------------------------------

def test_a_count_axis_ticks_whole_units_and_a_share_axis_spans_at_least_ten_points():
    from indicators.display.charts import SHARE_MIN_SPAN, SeriesChartData, series_figure

    def chart(values, unit, **kw):
        return series_figure(SeriesChartData(title="t", unit=unit, years=[2020, 2021, 2022, 2023], values=values, base_year=2020,
                                             base_value=None, target_year=2025, target_value=values[0], path_years=[],
                                             path_values=[], projection_years=[], projection_cagr=[], projection_linear=[],
                                             **kw))

    count = chart([25.0, 26.0, 25.0, 26.0], "条", whole_units=True).layout.yaxis
    assert count.tickformat == ",d" and float(count.dtick).is_integer()
    share = chart([100.0, 99.8, 100.0, 99.9], "%", bounded=True).layout.yaxis
    low, high = share.range
    assert high <= 100 and high - low >= SHARE_MIN_SPAN
