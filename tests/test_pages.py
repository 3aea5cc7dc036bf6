"""Every page under AppTest against a temporary database, caches cleared between tests."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.accounts import ANALYST, ANALYST_PASSWORD, log_in
from tests.conftest import APP, PAGE_TIMEOUT

pytestmark = pytest.mark.usefixtures("app_state")


def run_app(page: str | None = None, *, login: tuple[str, str] | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if login is not None:
        log_in(at, *login)
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def html_text(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.html)


def demo_line(at: AppTest) -> str:
    """The slim demo line every page starts with."""
    return next(str(h.proto.body) for h in at.html if 'class="gtm-demo"' in str(h.proto.body))


def test_overview_shows_every_target_of_both_plans_as_a_card_with_demo_banner():
    at = run_app()
    assert at.title[0].value == "绿色低碳目标监测看板"
    assert [s.value for s in at.subheader] == [
        "天津市加快建立健全绿色低碳循环发展经济体系的实施方案",
        "湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案（征求意见稿）",
    ]
    body = html_text(at)
    assert body.count('class="gtm-card"') == 17
    assert "示例数据" in demo_line(at) and "remove-demo" in demo_line(at)
    assert "由广东省下达" in body  # the CO2 target whose value is set elsewhere says so
    assert any("发改办环资〔2020〕901号" in c.value for c in at.caption)  # the method behind the colours is named on screen


def test_the_first_run_creates_the_database_and_loads_the_demo_data(tmp_path, monkeypatch):
    first_run = tmp_path / "first-run.duckdb"  # the other tests start from a copy of what a first run leaves
    monkeypatch.setenv("GTM_DB", str(first_run))
    at = run_app()
    assert first_run.is_file() and "示例数据" in demo_line(at)
    assert html_text(at).count('class="gtm-card"') == 17


def test_overview_filters_by_status_and_method_from_the_url():
    at = run_app(method="ratio", status="achieved", plan="tianjin_2022")
    body = html_text(at)
    assert any("增长率比值法" in c.value for c in at.caption)
    assert 0 < body.count('class="gtm-card"') < 12
    assert "已完成" in body and "红灯" not in body


def test_overview_switches_to_english_from_the_url():
    at = run_app(lang="en")
    assert at.title[0].value == "Green Target Monitor"
    assert "Demo data" in demo_line(at)
    assert "Cumulative reduction in energy use per unit of GDP" in html_text(at)


def test_indicator_page_shows_each_methods_status_reason_and_history():
    at = run_app("views/indicator.py", plan="tianjin_2022", region="tianjin", indicator="energy_intensity_reduction")
    assert at.title[0].value == "单位地区生产总值能耗累计降低率 · 天津市"
    methods = at.table[0].value
    # §8.4: a last row says what is still needed, in natural units, with the relative rate among its inputs.
    assert list(methods.index) == ["发改委晴雨表", "增长率比值法", "预期进度法", "尚需"]
    assert methods["判定依据"].iloc[:3].str.len().min() > 10
    assert methods.loc["尚需", "判定依据"] == "年均需下降4.79%" and "4.79%/年" in methods.loc["尚需", "输入数据"]
    history = at.dataframe[0].value
    assert list(history["年份"]) == [2021, 2022, 2023, 2024]  # the annual decline rates the reduction is chained from
    assert "单位地区生产总值能源消耗降低 14.5%" in html_text(at)


def test_comparison_page_ranks_the_city_and_its_districts():
    at = run_app("views/comparison.py", plan="tianjin_2022", indicator="good_air_quality_days_ratio")
    table = at.table[0].value
    assert {"天津市", "滨海新区", "武清区"} <= set(table.index)
    assert table["状态"].iloc[0].endswith("红灯")  # worst first


def test_data_page_refuses_a_broken_upload_listing_every_cell_and_changes_nothing(tmp_path):
    from tests.conftest import BROKEN_CELLS, BROKEN_ROWS, write_xlsx

    at = run_app("views/data.py", login=(ANALYST, ANALYST_PASSWORD))
    data = write_xlsx(tmp_path / "broken.xlsx", BROKEN_ROWS).read_bytes()
    at.file_uploader[0].upload("broken.xlsx", data).run()
    assert "7 个问题" in at.error[0].value
    assert sorted(at.table[0].value["单元格"]) == sorted(BROKEN_CELLS)  # a table: long messages wrap, never cut off
    assert list(at.dataframe[0].value["批次"]) == [1]  # only the demo batch: nothing was written


def test_data_page_previews_publishes_and_rolls_back_an_upload(tmp_path):
    from tests.conftest import GOOD_ROWS, write_xlsx

    at = run_app("views/data.py", login=(ANALYST, ANALYST_PASSWORD))
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    assert "已识别" in at.success[0].value
    # Against the demo data: 2 new keys, 4 existing keys whose source (not value) differs count as revisions.
    assert [m.value for m in at.metric] == ["2", "4", "0"]
    at.button(key="publish").click().run()
    assert not at.exception
    assert "已发布为批次 2" in at.success[0].value
    assert not at.metric  # the uploader was emptied
    history = at.dataframe[-1].value
    assert list(history["批次"]) == [2, 1] and history["文件"].iloc[0] == "good.xlsx"
    at.selectbox(key="rollback_batch").set_value(2).run()
    at.checkbox(key="rollback_confirm_2").check().run()  # each batch has its own confirmation
    at.button(key="rollback_button").click().run()
    assert "已撤销批次 2" in at.success[0].value
    assert at.dataframe[-1].value["状态"].iloc[0] == "已撤销"
