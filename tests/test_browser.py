"""The real Streamlit server in real Chromium (Debian's /usr/bin/chromium, no browser download)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.accounts import ANALYST, ANALYST_PASSWORD, make_users_file
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SERVER_START_TIMEOUT = 60  # seconds for `streamlit run` to answer its health check
RENDER_TIMEOUT_MS = 60_000  # first page load creates the database and the demo data
ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("server")
    make_users_file(folder / "users.toml")
    with running_streamlit(folder, {"GTM_DB": str(folder / "browser.duckdb"), "GTM_USERS": str(folder / "users.toml")}) as url:
        yield url


@contextmanager
def running_streamlit(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """The real `streamlit run server.py` (app.py and its login routes, as run.sh starts it) on a free loopback port,
    until the block ends; its log goes to `folder`."""
    port = free_port()
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"],
            cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"streamlit did not start: {log_path.read_text()}")
            time.sleep(0.3)
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./test.sh, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()


def open_page(page, url: str, ready_selector: str, count: int = 1) -> None:
    """Open a URL and wait until `count` elements matching `ready_selector` are drawn."""
    page.goto(url)
    page.wait_for_function(f"document.querySelectorAll({ready_selector!r}).length >= {count}", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


def log_in(page, name: str, password: str) -> None:
    """Log in through the sidebar form of the page that is open, and wait until the browser has come back from the
    route that sets the session cookie (the page reloads once, logged in)."""
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation(timeout=RENDER_TIMEOUT_MS):
        page.get_by_role("button", name="登录").click()
    page.wait_for_selector(f"text=已登录：{name}", timeout=RENDER_TIMEOUT_MS)


def assert_clean(page) -> None:
    assert page.locator(ERROR_SELECTORS).count() == 0
    assert "Page not found" not in page.content()
    assert "Traceback" not in page.inner_text("body")


CARD = ".gtm-card"
PLOT = '[data-testid="stPlotlyChart"] .main-svg'


def test_overview_draws_a_card_for_every_target_without_error(server, page, tmp_path):
    open_page(page, f"{server}/", CARD, 17)
    assert_clean(page)
    body = page.inner_text("body")
    assert "绿色低碳目标监测看板" in body and "示例数据" in body
    assert "天津市加快建立健全绿色低碳循环发展经济体系的实施方案" in body
    assert page.locator(f"{CARD} img").count() >= 15  # sparklines drawn
    page.set_viewport_size({"width": 1600, "height": 3600})
    page.screenshot(path=str(tmp_path / "overview.png"))
    assert (tmp_path / "overview.png").stat().st_size > 50_000


def test_indicator_page_draws_its_chart(server, page, tmp_path):
    open_page(page, f"{server}/indicator?plan=zhanjiang_2023_draft&region=zhanjiang&indicator=energy_intensity_reduction",
              PLOT)
    assert_clean(page)
    body = page.inner_text("body")
    assert "单位地区生产总值能耗累计降低率 · 湛江市" in body and "单位地区生产总值能耗强度下降14%" in body
    page.screenshot(path=str(tmp_path / "indicator.png"), full_page=True)


def test_methodology_v2_words_are_drawn_on_the_overview_and_the_indicator_page(server, page, tmp_path):
    """§8 in the browser: the provisional tag and still-needed in percentage points on the cards, the data-as-of
    summary, and on the indicator page the still-needed figure whole (not cut off) and a share's axis ending at 100%."""
    open_page(page, f"{server}/", CARD, 17)
    assert_clean(page)
    air = page.locator(CARD, has_text="空气质量优良天数比例").first
    assert "阶段性（1—9月）" in air.inner_text()
    assert page.locator(CARD, has_text="年均需提高9.80个百分点").count() == 1
    body = page.inner_text("body")
    assert "数据截至：2024年（16项）、2025年1—9月（1项）" in body and "绿灯 7（其中阶段性1）" in body
    open_page(page, f"{server}/indicator?plan=tianjin_2022&region=tianjin&indicator=harbour_craft_shore_power_rate", PLOT)
    assert_clean(page)
    needed = page.locator('.st-key-gtm_needed [data-testid="stMetricValue"]')
    assert needed.inner_text().strip() == "年均需提高7.00个百分点" and "…" not in needed.inner_text()
    ticks = page.locator(f"{PLOT} .ytick text").evaluate_all("texts => texts.map(t => t.textContent)")
    assert ticks and ticks[-1] == "100%"  # the axis stops at 100 (was 110)
    page.screenshot(path=str(tmp_path / "shore_power.png"), full_page=True)


def test_comparison_page_draws_its_chart(server, page, tmp_path):
    open_page(page, f"{server}/comparison?plan=tianjin_2022&indicator=good_air_quality_days_ratio", PLOT)
    assert_clean(page)
    assert "滨海新区" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "comparison.png"), full_page=True)


def test_a_card_link_leads_to_the_indicator_page(server, page):
    open_page(page, f"{server}/", CARD, 17)
    page.locator(f"{CARD} a.gtm-name", has_text="非化石能源消费比重").first.click()
    page.wait_for_selector(PLOT, timeout=RENDER_TIMEOUT_MS)
    assert "indicator=non_fossil_energy_consumption_share" in page.url
    assert "非化石能源消费比重 · 天津市" in page.inner_text("body")
    assert_clean(page)


def test_deep_link_reproduces_language_method_and_filters(server, page, tmp_path):
    open_page(page, f"{server}/?lang=en&method=ratio&plan=zhanjiang_2023_draft", CARD, 5)
    assert_clean(page)
    body = page.inner_text("body")
    assert "Green Target Monitor" in body and "demo data" in body and "growth-rate ratio" in body.lower()
    assert page.locator(CARD).count() == 5  # only Zhanjiang's five targets
    page.screenshot(path=str(tmp_path / "overview_en.png"), full_page=True)


def test_data_page_refuses_a_broken_upload_in_the_browser(server, page, tmp_path):
    from tests.conftest import BROKEN_ROWS, write_xlsx

    broken = write_xlsx(tmp_path / "broken.xlsx", BROKEN_ROWS)
    page.goto(f"{server}/data")
    page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=RENDER_TIMEOUT_MS)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(broken))
    page.wait_for_selector("text=文件未通过校验", timeout=RENDER_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "data_refused.png"), full_page=True)


# --- presentation mode (演示模式) ------------------------------------------------------------------
PRESENT_VIEWPORT = {"width": 1600, "height": 900}  # a 16:9 meeting-room screen
STATUS_WORDS = ("红灯", "黄灯", "绿灯", "已完成", "无法评估", "目标待定")


def chart_texts(page, css_class: str) -> list[str]:
    """The texts of a class of SVG text in the drawn charts (titles and notes are annotations)."""
    return page.eval_on_selector_all(f'[data-testid="stPlotlyChart"] .{css_class}', "els => els.map(e => e.textContent)")


def assert_presenting(page) -> None:
    """Sidebar, toolbar and every input widget hidden; the exit button and the demo banner stay."""
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stToolbar"]').is_visible()
    assert page.locator('[data-testid="stSelectbox"]:visible, [data-testid="stRadio"]:visible').count() == 0
    assert page.locator('[data-testid="stDownloadButton"]:visible').count() == 0
    assert page.get_by_text("退出演示").is_visible()
    assert page.get_by_text("示例数据").first.is_visible()


def test_presentation_mode_overview_shows_each_plans_barometer_without_sidebar_or_widgets(server, page, tmp_path):
    page.set_viewport_size(PRESENT_VIEWPORT)
    open_page(page, f"{server}/?present=1", PLOT, 2)  # one barometer per plan
    assert_clean(page)
    assert_presenting(page)
    texts = chart_texts(page, "annotation-text")
    assert any(text.startswith("目标晴雨表 · 天津市 · 数据截至") for text in texts)
    assert any(text.startswith("目标晴雨表 · 湛江市 · 数据截至") for text in texts)
    cells = " ".join(page.eval_on_selector_all('[data-testid="stPlotlyChart"] .cell-text', "els => els.map(e => e.textContent)"))
    assert "■ 红灯" in cells and "● 绿灯" in cells  # status as icon and word
    page.screenshot(path=str(tmp_path / "present_overview.png"))
    assert (tmp_path / "present_overview.png").stat().st_size > 50_000


def test_presentation_mode_indicator_titles_the_chart_with_status_data_as_of_source_and_clause(server, page, tmp_path):
    page.set_viewport_size(PRESENT_VIEWPORT)
    open_page(page, f"{server}/indicator?present=1&plan=tianjin_2022&region=tianjin&indicator=energy_intensity_reduction", PLOT)
    assert_clean(page)
    assert_presenting(page)
    texts = chart_texts(page, "annotation-text")
    title = next(text for text in texts if text.startswith("单位地区生产总值能耗累计降低率 · 天津市 · "))
    assert any(word in title for word in STATUS_WORDS)
    notes = " ".join(texts)
    assert "数据截至2024年" in notes and "来源：示例数据" in notes and "（二）主要目标" in notes
    assert page.locator(".gtm-badge").is_visible()
    assert page.locator('[data-testid="stTable"]').count() == 0  # the desk tables stay off the screen
    page.screenshot(path=str(tmp_path / "present_indicator.png"))
    assert (tmp_path / "present_indicator.png").stat().st_size > 50_000


def test_leaving_presentation_mode_brings_the_sidebar_back(server, page):
    page.set_viewport_size(PRESENT_VIEWPORT)
    open_page(page, f"{server}/?present=1", PLOT, 2)
    page.get_by_text("退出演示").click()
    page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("!location.search.includes('present')", timeout=RENDER_TIMEOUT_MS)
    assert page.locator(CARD).count() > 0


EXPORT_TIMEOUT_MS = 120_000  # the export starts its own Chromium, then renders


def test_export_buttons_download_a_png_and_a_deck(server, page, tmp_path):
    from PIL import Image
    from pptx import Presentation

    open_page(page, f"{server}/indicator?plan=zhanjiang_2023_draft&region=zhanjiang&indicator=energy_intensity_reduction", PLOT)
    downloads = {}
    for label in ("导出图片", "导出PPT"):
        with page.expect_download(timeout=EXPORT_TIMEOUT_MS) as info:
            page.get_by_role("button", name=label).click()
        downloads[label] = tmp_path / info.value.suggested_filename
        info.value.save_as(downloads[label])
    assert downloads["导出图片"].name == "湛江市_单位地区生产总值能耗累计降低率_2025年.png"  # named in words, not ids
    with Image.open(downloads["导出图片"]) as image:
        assert image.format == "PNG" and image.size == (1640, 1120)
    assert len(Presentation(str(downloads["导出PPT"])).slides) == 8  # cover, summary, 5 targets, sources
    assert_clean(page)
