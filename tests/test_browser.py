"""The real Streamlit server in real Chromium (Debian's /usr/bin/chromium, no browser download)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    port = free_port()
    env = {**os.environ, "GTM_DB": str(folder / "browser.duckdb")}
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
            pytest.fail(f"streamlit did not start: {(folder / 'server.log').read_text()}")
        time.sleep(0.3)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=RENDER_TIMEOUT_MS)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(broken))
    page.wait_for_selector("text=文件未通过校验", timeout=RENDER_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "data_refused.png"), full_page=True)
