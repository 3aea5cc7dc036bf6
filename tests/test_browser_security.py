"""Access control and hostile data in real Chromium against a real server (Debian's /usr/bin/chromium).

The server's database holds data an attacker crafted: HTML in sources, notes, a file name and an audit actor.
Every page that shows them is opened with a dialog listener: an alert() would mean HTML from data ran.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from indicators.catalogue import load_catalogue
from indicators.store import Store
from loaders.errors import safe_file_label
from loaders.importer import prepare_import, publish
from loaders.read import MAX_FILE_BYTES
from tests.accounts import ADMIN, ADMIN_PASSWORD, ANALYST, ANALYST_PASSWORD, make_users_file
from tests.conftest import write_xlsx
from tests.test_browser import (
    CARD,
    PLOT,
    RENDER_TIMEOUT_MS,
    assert_clean,
    browser,  # noqa: F401  (the module-scoped Chromium fixture)
    log_in,
    open_page,
    running_streamlit,
)
from tests.test_escaping import HTML_NAME_ROWS, HTML_TEXT_ROWS, IMG, SCRIPT

pytestmark = pytest.mark.browser

HOSTILE_FILE_NAME = f"{IMG}.xlsx"
STORED_FILE_NAME = safe_file_label(HOSTILE_FILE_NAME)  # the loaders keep a safe base name ("<" and ">" become "_")
TABLE = '[data-testid="stDataFrame"] table'  # the grid's accessible table (the cells as text)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, demo_database) -> Iterator[tuple[str, Store]]:
    """A server whose database holds the demo data and the hostile texts, with one analyst and one admin."""
    folder = tmp_path_factory.mktemp("hostile_server")
    catalogue = load_catalogue()
    store = Store(shutil.copyfile(demo_database, folder / "hostile.duckdb"))
    store.initialise(catalogue)
    workbook = write_xlsx(folder / "texts.xlsx", HTML_TEXT_ROWS)
    publish(prepare_import(workbook, catalogue, store, display_name=HOSTILE_FILE_NAME), store, ANALYST)
    store.record_audit(SCRIPT, "login_failed", detail=IMG)
    make_users_file(folder / "users.toml")
    with running_streamlit(folder, {"GTM_DB": str(store.path), "GTM_USERS": str(folder / "users.toml")}) as url:
        yield url, store


@pytest.fixture
def watched_page(browser) -> Iterator[tuple[object, list[str]]]:  # noqa: F811
    """A page that records every JavaScript dialog (alert, confirm, prompt) instead of showing it."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    yield page, dialogs
    context.close()


def nav_links(page) -> list[str]:
    return [a.inner_text().split("\n")[-1] for a in page.locator('[data-testid="stSidebarNav"] a').all()]


def assert_no_injected_markup(page) -> None:
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("""() => [...document.scripts].every(s => !s.textContent.includes('alert("gtm")'))""")


def test_viewers_see_no_data_pages_in_the_navigation_and_are_refused_them_by_direct_url(hostile_server, watched_page, tmp_path):
    url, _ = hostile_server
    page, _ = watched_page
    open_page(page, f"{url}/", CARD, 17)
    assert nav_links(page) == ["总览", "指标详情", "地区对比"]
    for path in ("/data", "/admin"):
        page.goto(f"{url}{path}")
        page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
        assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        assert "Traceback" not in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)


def test_an_analyst_sees_the_data_page_in_the_navigation_after_logging_in(hostile_server, watched_page):
    url, _ = hostile_server
    page, _ = watched_page
    open_page(page, f"{url}/", CARD, 17)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    assert nav_links(page) == ["总览", "指标详情", "地区对比", "数据管理"]


def test_html_in_sources_and_notes_never_runs_on_the_overview_and_indicator_pages(hostile_server, watched_page, tmp_path):
    url, _ = hostile_server
    page, dialogs = watched_page
    open_page(page, f"{url}/", CARD, 17)
    assert_clean(page)
    open_page(page, f"{url}/indicator?plan=tianjin_2022&region=tianjin&indicator=good_air_quality_days_ratio", PLOT)
    page.wait_for_selector(TABLE, state="attached", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(f"document.querySelector({TABLE!r}).innerText.includes('onerror')", timeout=RENDER_TIMEOUT_MS)
    cells = page.inner_text(TABLE)
    assert IMG in cells and SCRIPT in cells and STORED_FILE_NAME in cells  # shown literally, as text
    assert_clean(page)
    assert_no_injected_markup(page)
    page.screenshot(path=str(tmp_path / "indicator_hostile.png"), full_page=True)
    assert dialogs == []


def test_html_in_indicator_names_and_file_names_never_runs_on_the_data_and_admin_pages(hostile_server, watched_page, tmp_path):
    url, store = hostile_server
    page, dialogs = watched_page
    batches_before = store.batches()
    page.goto(f"{url}/data")
    page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    page.wait_for_function(f"document.querySelector({TABLE!r})?.innerText.includes('onerror')", timeout=RENDER_TIMEOUT_MS)
    assert STORED_FILE_NAME in page.inner_text(TABLE)  # the history lists the crafted file name as text
    names = write_xlsx(tmp_path / "names.xlsx", HTML_NAME_ROWS)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(names))
    page.wait_for_selector("text=文件未通过校验", timeout=RENDER_TIMEOUT_MS)
    problems = page.locator('[data-testid="stTable"]').first  # a wrapping table: long messages are never cut off
    page.wait_for_function("document.querySelector('[data-testid=\"stTable\"] table')?.innerText.includes('不在指标目录中')",
                           timeout=RENDER_TIMEOUT_MS)
    text = problems.locator("table").inner_text()
    assert f"指标“{SCRIPT}”不在指标目录中" in text and f"指标“{IMG}”不在指标目录中" in text
    assert_no_injected_markup(page)
    page.screenshot(path=str(tmp_path / "data_hostile.png"), full_page=True)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
    page.goto(f"{url}/admin")
    page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
    log_in(page, ADMIN, ADMIN_PASSWORD)
    page.wait_for_selector("text=审计日志", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("[...document.querySelectorAll('[data-testid=\"stDataFrame\"] table')]"
                           ".some(t => t.innerText.includes('login_failed'))", timeout=RENDER_TIMEOUT_MS)
    audit = page.locator('[data-testid="stDataFrame"] table').last.inner_text()
    assert SCRIPT in audit and "upload_refused" in audit
    assert_no_injected_markup(page)
    assert dialogs == []
    assert len(store.batches()) == len(batches_before)  # the refused upload changed nothing


def test_a_file_over_the_servers_upload_cap_is_refused_in_the_browser(hostile_server, watched_page, tmp_path):
    url, store = hostile_server
    page, _ = watched_page
    batches_before = store.batches()
    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(b"PK\x03\x04" + bytes(MAX_FILE_BYTES))
    page.goto(f"{url}/data")
    page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=RENDER_TIMEOUT_MS)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(huge))
    page.wait_for_selector("text=50.0MB", timeout=RENDER_TIMEOUT_MS)  # "File must be 50.0MB or smaller."
    assert page.locator("text=已识别").count() == 0
    assert len(store.batches()) == len(batches_before)
