"""Every page under AppTest against a temporary database, caches cleared between tests."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
PAGE_TIMEOUT = 60  # seconds; the first run creates the database and loads demo data


@pytest.fixture(autouse=True)
def fresh_app_state(monkeypatch, tmp_path):
    """Each test: its own database file, and no cached connection or query result from the last test."""
    monkeypatch.setenv("GTM_DB", str(tmp_path / "app.duckdb"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_overview_lists_every_target_of_both_plans_with_demo_banner():
    at = run_app()
    assert at.title[0].value == "绿色低碳目标监测看板"
    assert [s.value for s in at.subheader] == [
        "天津市加快建立健全绿色低碳循环发展经济体系的实施方案",
        "湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案（征求意见稿）",
    ]
    tables = [df.value for df in at.dataframe]
    assert [len(t) for t in tables] == [12, 5]
    assert "示例数据" in at.warning[0].value
    zhanjiang = tables[1].set_index("指标")
    assert zhanjiang.loc["单位地区生产总值二氧化碳排放累计降低率", "目标"] == "待录入"


def test_overview_switches_to_english_from_the_url():
    at = run_app(lang="en")
    assert at.title[0].value == "Green Target Monitor"
    assert "demo data" in at.warning[0].value
    assert "Indicator" in at.dataframe[0].value.columns
