"""Presentation mode and the export buttons under AppTest (temporary database, caches cleared per test)."""

from __future__ import annotations

import json

import pytest

from tests.test_pages import html_text, run_app

pytestmark = pytest.mark.usefixtures("app_state")

INDICATOR = {"plan": "tianjin_2022", "region": "tianjin", "indicator": "energy_intensity_reduction"}


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def annotation_texts(spec: dict) -> dict[str, str]:
    return {a.get("name"): a["text"] for a in spec["layout"].get("annotations", [])}


def test_presentation_mode_overview_shows_one_barometer_per_plan_instead_of_cards():
    at = run_app(present="1")
    assert 'class="gtm-card"' not in html_text(at)
    titles = [annotation_texts(spec)["gtm-title"] for spec in chart_specs(at)]
    assert len(titles) == 2 and "目标晴雨表 · 天津市 · 数据截至" in titles[0] and "目标晴雨表 · 湛江市 · 数据截至" in titles[1]
    table = chart_specs(at)[0]["data"][0]
    assert table["type"] == "table" and len(table["cells"]["values"][1]) == 12  # one row per Tianjin target
    assert at.toggle[0].value is True and at.button(key="gtm_exit_present").label == "退出演示"
    assert 'class="gtm-demo"' in html_text(at) and "示例数据" in html_text(at)  # the demo line stays in a meeting too


def test_presentation_toggle_and_exit_button_keep_the_mode_in_the_url():
    at = run_app()
    assert "present" not in at.query_params and at.get("plotly_chart") == []
    at.toggle[0].set_value(True).run()
    assert at.query_params["present"] == "1" and len(at.get("plotly_chart")) == 2
    at.button(key="gtm_exit_present").click().run()
    assert "present" not in at.query_params and 'class="gtm-card"' in html_text(at)


def test_presentation_mode_indicator_page_shows_the_titled_chart_status_and_figures_only():
    at = run_app("views/indicator.py", present="1", **INDICATOR)
    (spec,) = chart_specs(at)
    texts = annotation_texts(spec)
    assert texts["gtm-title"].startswith("<b>单位地区生产总值能耗累计降低率 · 天津市 · ")
    assert "数据截至2024年" in texts["gtm-notes"] and "来源：示例数据" in texts["gtm-notes"]
    assert "（二）主要目标" in texts["gtm-notes"]
    assert 'class="gtm-badge"' in html_text(at) and len(at.metric) == 4
    assert len(at.table) == 0 and len(at.dataframe) == 0  # the desk tables stay off the screen


def test_indicator_chart_downloads_at_3x_with_title_and_notes_in_the_figure():
    at = run_app("views/indicator.py", **INDICATOR)
    chart = at.get("plotly_chart")[0].proto
    options = json.loads(chart.config)["toImageButtonOptions"]
    assert options["scale"] == 3 and options["filename"] == "单位地区生产总值能耗累计降低率_天津市"
    texts = annotation_texts(json.loads(chart.spec))
    assert "数据截至2024年" in texts["gtm-notes"] and "天津市" in texts["gtm-title"]


def test_pages_offer_the_deck_image_data_and_pdf_exports():
    overview = run_app()
    labels = [button.proto.label for button in overview.get("download_button")]
    assert labels == ["导出总览PDF", *["导出PPT", "导出图片", "导出数据"] * 2]  # the PDF, then three per plan
    indicator = run_app("views/indicator.py", **INDICATOR)
    buttons = [button.proto for button in indicator.get("download_button")]
    assert [b.label for b in buttons] == ["导出PPT", "导出图片", "导出数据"]
    assert all(b.deferred_file_id for b in buttons)  # made on click, not on every page view
