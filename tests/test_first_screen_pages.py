"""The overview's first screen under AppTest: the barometer of every target, filters kept in the URL (全部（含区县）
too), a region name on every card, areas by their worst status, and the indicator page's note for a district without
data of its own."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from indicators.catalogue import load_catalogue
from indicators.progress.ranking import status_rank
from indicators.status import status_frame
from indicators.store import Store
from tests.test_pages import html_text, run_app
from ui.state import ALL

pytestmark = pytest.mark.usefixtures("app_state")

ROW = 'class="gtm-b-row"'


def barometer(at: AppTest) -> str:
    return next(str(h.proto.body) for h in at.html if 'class="gtm-baro"' in str(h.proto.body))


def links(html: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlparse(href.replace("&amp;", "&")).query) for href in re.findall(r'href="(indicator\?[^"]+)"', html)]


def test_the_barometer_lists_every_target_of_both_plans_worst_first_each_linking_to_its_page():
    at = run_app()
    table = barometer(at)
    assert table.count(ROW) == 17
    statuses = re.findall(r'data-status="([a-z_]+)"', table)
    assert statuses[0] == "red" and statuses[-1] in {"not_set", "not_assessable"}
    found = links(table)
    assert len(found) == 17 and all({"plan", "region", "indicator", "method"} <= set(q) for q in found)
    assert "单位地区生产总值能耗累计降低率" in table and "湛江市" in table and "天津市" in table
    assert "落后" in table  # the gap to time elapsed


def test_barometer_links_keep_the_language_and_the_method():
    at = run_app(lang="en", method="ratio")
    found = links(barometer(at))
    assert found and all(q["lang"] == ["en"] and q["method"] == ["ratio"] for q in found)
    assert "Vs time elapsed" in barometer(at)


def test_all_regions_including_districts_is_written_to_the_url_and_read_back():
    at = run_app()
    assert "region" not in at.query_params  # the plans' cities: the default needs no parameter
    at.selectbox(key="url_region").select_index(1).run()  # 全部（含区县）
    assert at.query_params["region"] == "all"
    again = run_app(region="all")  # a reload or a shared link
    assert again.selectbox(key="url_region").value == ALL
    assert barometer(again).count(ROW) == 24 and html_text(again).count('class="gtm-card"') == 24


def test_every_card_names_its_region_so_a_district_card_is_told_apart():
    at = run_app(region="all", area="ecology")
    regions = re.findall(r'<div class="gtm-region">([^<]+)</div>', html_text(at))
    assert {"天津市", "和平区", "武清区", "滨海新区", "蓟州区"} <= set(regions)


def test_areas_are_ordered_by_their_worst_status_on_the_overview():
    at = run_app(plan="tianjin_2022")
    areas_shown = [re.search(r"<h4[^>]*>([^<]+)</h4>", str(h.proto.body)).group(1)
                   for h in at.html if "<h4" in str(h.proto.body)]
    catalogue = load_catalogue()
    frame = status_frame(catalogue, Store(os.environ["GTM_DB"]), plan="tianjin_2022")
    frame = frame[frame["region"] == "tianjin"]
    worst = frame.assign(rank=status_rank(frame, "barometer")).groupby("area")["rank"].min()
    names = {catalogue.areas[a].name("zh"): a for a in worst.index}
    ranks = [worst[names[name]] for name in areas_shown]
    assert len(ranks) == worst.size and ranks == sorted(ranks)


def test_the_overview_shows_what_changed_and_the_data_gaps_below_the_barometer():
    at = run_app()
    labels = [e.label for e in at.expander]
    assert "有何变化" in labels and any(label.startswith("数据缺口") for label in labels)
    body = html_text(at)
    assert "各目标的状态历程" in body and "2021年起红灯" in body
    assert 'class="gtm-gaps"' in body and "初步" in body and "目前只有一个数据版本" in body


def test_the_indicator_page_says_when_a_district_has_no_data_of_its_own():
    at = run_app("views/indicator.py", plan="tianjin_2022", region="tianjin_heping", indicator="energy_intensity_reduction")
    assert at.title[0].value.endswith("· 天津市")
    assert any("和平区没有" in i.value and "天津市的数据" in i.value for i in at.info)


def test_a_district_with_data_of_its_own_shows_its_own():
    at = run_app("views/indicator.py", plan="tianjin_2022", region="tianjin_heping", indicator="good_air_quality_days_ratio")
    assert at.title[0].value == "空气质量优良天数比例 · 和平区"
    assert not any("没有" in i.value for i in at.info)


def test_the_indicator_page_shows_the_targets_status_by_year():
    at = run_app("views/indicator.py", plan="tianjin_2022", region="tianjin_binhai", indicator="good_air_quality_days_ratio")
    body = html_text(at)
    assert "2024年起黄灯" in body and "2023年" in body


def test_the_english_district_note():
    at = run_app("views/indicator.py", lang="en", plan="tianjin_2022", region="tianjin_heping",
                 indicator="energy_intensity_reduction")
    assert any("Heping District has no data of its own" in i.value for i in at.info)


def test_a_revising_batch_shows_on_the_overview_as_a_new_version_with_its_revised_value_and_changed_status():
    from tests.test_store import batch, rows

    Store(os.environ["GTM_DB"]).write_batch(batch("2024公报修订.xlsx"), rows(("tianjin", "strategic_emerging_industry_share", 2024, 41.0)))
    body = html_text(run_app())
    assert "较上一数据版本（第1批 → 第2批 2024公报修订.xlsx" in body and "状态变化的目标（1项）" in body
    assert "修订过的数值（1项）" in body and "30.2%（初步）" in body and "41.0%（正式）" in body
    at = run_app("views/indicator.py", plan="tianjin_2022", region="tianjin", indicator="strategic_emerging_industry_share")
    assert "2024年起已完成" in html_text(at) and "41.0%（正式）" in html_text(at)


def test_a_crafted_file_name_in_the_change_view_is_shown_as_text():
    from indicators.store import BatchInfo
    from tests.test_store import rows

    crafted = '<img src=x onerror="alert(1)">.xlsx'
    Store(os.environ["GTM_DB"]).write_batch(BatchInfo(file_name=crafted, sha256="0" * 64, imported_by="tester"),
                                            rows(("tianjin", "strategic_emerging_industry_share", 2024, 41.0)))
    body = html_text(run_app())
    assert crafted not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.xlsx" in body


def test_a_crafted_region_in_the_url_falls_back_to_the_plans_cities():
    at = run_app(region='"><script>alert(1)</script>')
    assert barometer(at).count(ROW) == 17 and "<script>" not in html_text(at)
