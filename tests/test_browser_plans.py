"""An administrator publishes a plan from its text in real Chromium against the real server: uploads it, accepts its
candidates, picks the city from the national registry, publishes; its targets show on the overview and get statuses
once data for the city are imported with the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import test_browser
from tests.accounts import ADMIN, ADMIN_PASSWORD, make_users_file
from tests.conftest import PROJECT_ROOT, TEMPLATE_HEADER, write_xlsx
from tests.published_plans import PLAN_ID, TARGETS, TEXT, TITLE
from tests.test_browser import RENDER_TIMEOUT_MS, assert_clean, browser, log_in, page, running_streamlit  # noqa: F401

pytestmark = pytest.mark.browser
PORTS = range(8770, 8780)  # this suite's share of the machine's ports
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
NOT_ASSESSABLE = "无法评估"


def port_in_range() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return test_browser.free_port()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("plans")
    make_users_file(folder / "users.toml")
    env = {"GTM_DB": str(folder / "plans.duckdb"), "GTM_USERS": str(folder / "users.toml")}
    patch = pytest.MonkeyPatch()
    patch.setattr(test_browser, "free_port", port_in_range)
    try:
        with running_streamlit(folder, env) as url:
            yield {"url": url, **env}
    finally:
        patch.undo()


def fill(page, label: str, text: str) -> None:  # noqa: F811
    """Type into the input called `label` and commit it as a user does (Enter)."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    page.wait_for_load_state("networkidle")


def statuses(page, site) -> list[str]:  # noqa: F811
    """The status word of every card of the published plan on the overview (a new session: anonymous)."""
    page.goto(f"{site['url']}/?plan={PLAN_ID}")
    page.wait_for_function(f"document.querySelectorAll('.gtm-card').length >= {TARGETS}", timeout=RENDER_TIMEOUT_MS)
    assert_clean(page)
    assert page.get_by_text(TITLE, exact=True).count() >= 1
    return [chip.inner_text().split(" ", 1)[-1].strip() for chip in page.locator(".gtm-card .gtm-chip").all()]


def test_an_admin_publishes_a_plan_from_its_text_and_its_targets_get_statuses_after_an_import(page, site, tmp_path):  # noqa: F811
    from playwright.sync_api import expect  # loaded only where browser tests run, as tests/test_browser.py does

    page.goto(f"{site['url']}/plans")
    page.wait_for_selector("text=此页仅限", timeout=RENDER_TIMEOUT_MS)  # anonymous: refused
    log_in(page, ADMIN, ADMIN_PASSWORD)
    page.wait_for_selector(UPLOAD_INPUT, state="attached", timeout=RENDER_TIMEOUT_MS)
    plan_file = tmp_path / "珠海方案.txt"
    plan_file.write_text(TEXT, encoding="utf-8")
    page.set_input_files(UPLOAD_INPUT, str(plan_file))
    page.wait_for_selector(f"text=共 {TARGETS} 个候选目标", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(f"document.querySelectorAll('.gtm-plan-text mark').length >= {TARGETS}", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    assert page.locator(".gtm-plan-text mark").count() == TARGETS  # every candidate highlighted in the text
    accepted = page.get_by_role("radio", name="接受", checked=True)  # every candidate matched: accepted as found
    expect(accepted).to_have_count(TARGETS, timeout=RENDER_TIMEOUT_MS)  # the page draws its candidates one by one
    expect(page.get_by_role("button", name="发布方案")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    fill(page, "方案id（小写英文、数字、下划线，如 zhuhai_2022）", PLAN_ID)
    fill(page, "印发机关", "珠海市人民政府")
    date = page.get_by_label("印发日期", exact=True)  # a date field of segments: typed as a user types the digits
    date.locator('[role="spinbutton"]').first.click()
    page.keyboard.type("2022/03/01")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    fill(page, "在全国区划库中查找（名称或6位代码）", "珠海")
    page.get_by_label("区划库中的地区", exact=True).wait_for(timeout=RENDER_TIMEOUT_MS)  # the registry's match, picked
    fill(page, "地区英文名（新地区）", "Zhuhai")
    page.get_by_role("button", name="发布方案").click()
    page.wait_for_selector(f"text=已发布方案 {PLAN_ID}（第1版）", timeout=RENDER_TIMEOUT_MS)
    assert_clean(page)
    page.screenshot(path=str(tmp_path / "plans_published.png"), full_page=True)

    before = statuses(page, site)
    assert len(before) == TARGETS and set(before) == {NOT_ASSESSABLE}  # no data yet for the new city

    rows = [["珠海市", "空气质量优良天数比例", 2020, None, 90.0, "%", "正式", "珠海统计公报", None],
            ["珠海市", "空气质量优良天数比例", 2023, None, 94.0, "%", "正式", "珠海统计公报", None],
            ["440400", "中心城区污水处理率", 2020, None, 95.0, "%", "正式", "珠海统计公报", None],
            ["440400", "中心城区污水处理率", 2023, None, 97.0, "%", "正式", "珠海统计公报", None]]
    data = write_xlsx(tmp_path / "zhuhai.xlsx", rows, header=TEMPLATE_HEADER)
    env = {**os.environ, **{k: v for k, v in site.items() if k.startswith("GTM_")}}
    imported = subprocess.run([sys.executable, "-m", "loaders", "import", str(data), "--user", "分析员"], cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr

    after = statuses(page, site)
    assert len(after) == TARGETS
    assert sum(word != NOT_ASSESSABLE for word in after) == 2  # the two targets with data now have a status
    page.screenshot(path=str(tmp_path / "plans_overview.png"), full_page=True)
    assert Path(site["GTM_DB"]).exists()
