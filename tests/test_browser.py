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


def open_and_wait(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


def test_overview_renders_every_plan_without_error(server, page, tmp_path):
    open_and_wait(page, f"{server}/")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 2", timeout=RENDER_TIMEOUT_MS)
    assert page.locator(ERROR_SELECTORS).count() == 0
    assert "Page not found" not in page.content()
    body = page.inner_text("body")
    assert "绿色低碳目标监测看板" in body and "示例数据" in body
    assert "天津市加快建立健全绿色低碳循环发展经济体系的实施方案" in body
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert (tmp_path / "overview.png").stat().st_size > 10_000


def test_deep_link_keeps_the_language(server, page, tmp_path):
    open_and_wait(page, f"{server}/?lang=en")
    page.wait_for_selector("text=Green Target Monitor", timeout=RENDER_TIMEOUT_MS)
    assert page.locator(ERROR_SELECTORS).count() == 0
    assert "Page not found" not in page.content()
    assert "demo data" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "overview_en.png"), full_page=True)
