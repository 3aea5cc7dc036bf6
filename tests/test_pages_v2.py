"""Pages under AppTest show methodology §8's words (demo data): still needed in natural units, each series' data year and
the honest summary, the provisional tag and counts, a bounded share's axis, a base already met."""

from __future__ import annotations

import json

import pytest

from tests.test_pages import html_text, run_app

pytestmark = pytest.mark.usefixtures("app_state")

TIANJIN = {"plan": "tianjin_2022", "region": "tianjin"}


def chart_spec(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_overview_caption_summarises_each_data_year_with_its_count():
    at = run_app()
    assert at.caption[0].value.startswith("数据截至：2024年（16项）、2025年1—9月（1项）")  # never "数据截至2025年"
    at = run_app(plan="zhanjiang_2023_draft")
    assert at.caption[0].value.startswith("数据截至2024年 · ")  # every target shown shares it
    assert run_app(lang="en").caption[0].value.startswith("Data as of: 2024 (16), 2025 Jan–Sep (1)")


def test_cards_show_still_needed_in_natural_units_and_the_provisional_tag():
    body = html_text(run_app())
    for words in ("年均需提高9.80个百分点", "年均需下降4.79%", "年均需新增8家", "年均需新增2个"):
        assert words in body
    assert "阶段性（1—9月）" in body and "● 绿灯 7（其中阶段性1）" in body  # the plan's count says one is provisional
    assert "32.45" not in body.replace("32.45%/年", "")  # the relative rate is not what a card says
    assert "2025年1—9月 · 目标" in body  # the provisional card names its own period


def test_english_cards_word_still_needed_without_chinese_units():
    body = html_text(run_app(lang="en"))
    assert "needs +9.80 pts a year" in body and "needs 8 more enterprises a year" in body
    assert "needs a 4.79% decline a year" in body and "provisional (Jan–Sep)" in body
    assert "Green 7 (1 provisional)" in body and "2025 Jan–Sep · Target" in body
    assert "Jan–M" not in body


def test_indicator_page_says_what_is_still_needed_with_the_relative_rate_among_the_inputs():
    at = run_app("views/indicator.py", **TIANJIN, indicator="strategic_emerging_industry_share")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["尚需"] == "年均需提高9.80个百分点"
    methods = at.table[0].value
    assert methods.loc["尚需", "判定依据"] == "年均需提高9.80个百分点"
    assert "32.45%/年" in methods.loc["尚需", "输入数据"] and "余下1年" in methods.loc["尚需", "输入数据"]
    assert "shortfall" not in methods.loc["发改委晴雨表", "输入数据"]  # Chinese on a Chinese page


def test_indicator_page_tags_a_provisional_status_and_names_its_months():
    at = run_app("views/indicator.py", **TIANJIN, indicator="good_air_quality_days_ratio")
    assert "阶段性（1—9月）" in html_text(at)
    assert at.metric[0].label == "最新值（2025年1—9月）"
    assert at.table[0].value.loc["发改委晴雨表", "状态"] == "● 绿灯 · 阶段性（1—9月）"
    texts = {a.get("name"): a["text"] for a in chart_spec(at)["layout"]["annotations"]}
    assert "阶段性（1—9月）" in texts["gtm-title"] and "数据截至2025年1—9月" in texts["gtm-notes"]


def test_indicator_chart_of_a_bounded_share_stops_at_100():
    at = run_app("views/indicator.py", **TIANJIN, indicator="harbour_craft_shore_power_rate")
    low, high = chart_spec(at)["layout"]["yaxis"]["range"]
    assert low >= 0 and high <= 100  # was 110 around a projection of 103.8%
    assert {m.label: m.value for m in at.metric}["尚需"] == "年均需提高7.00个百分点"


def test_a_base_already_met_shows_no_completion_figure():
    at = run_app("views/indicator.py", plan="tianjin_2022", region="tianjin_jizhou", indicator="good_air_quality_days_ratio")
    assert {m.label: m.value for m in at.metric}["完成进度"] == "不适用"
    comparison = run_app("views/comparison.py", plan="tianjin_2022", indicator="good_air_quality_days_ratio")
    table = comparison.table[0].value
    assert table.loc["蓟州区", "完成进度"] == "基期已达标" and table.loc["天津市", "最新年份"] == "2025年1—9月"
    assert table.loc["天津市", "状态"] == "● 绿灯 · 阶段性（1—9月）"
    notes = {a.get("name"): a["text"] for a in chart_spec(comparison)["layout"]["annotations"]}["gtm-notes"]
    assert "数据截至：2024年（4项）、2025年1—9月（1项）" in notes.replace("<br>", "")
    assert "基期已达标 · ✔ 已完成" in chart_spec(comparison)["data"][0]["text"]


def test_ratio_overview_tells_limited_from_acceleration_needed():
    body = html_text(run_app(method="ratio"))
    assert "◆ 进展有限" in body and "▲ 需加快" in body
    assert "#882255" in body and "正常推进" not in body and "需加速" not in body
