"""The analyst's job in real Chromium against the real server: a communiqué table imported after choosing its region
on the page, recipes shared between the browser and the CLI, a rollback that names its batch and cannot repeat
itself, and a rolled-back batch re-applied."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.accounts import ANALYST, ANALYST_PASSWORD, make_users_file
from tests.conftest import PROJECT_ROOT
from tests.test_browser import RENDER_TIMEOUT_MS, assert_clean, browser, log_in, page, running_streamlit  # noqa: F401
from tests.test_import_options_page import communique

pytestmark = pytest.mark.browser

UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A server with its own database, users and recipes folder (the shipped recipes copied)."""
    folder = tmp_path_factory.mktemp("analyst")
    make_users_file(folder / "users.toml")
    shutil.copytree(PROJECT_ROOT / "data" / "recipes", folder / "recipes")
    env = {"GTM_DB": str(folder / "analyst.duckdb"), "GTM_USERS": str(folder / "users.toml"),
           "GTM_RECIPES_DIR": str(folder / "recipes")}
    with running_streamlit(folder, env) as url:
        yield {"url": url, **env}


def cli(site: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m loaders ARGS` against the server's database and recipes."""
    env = {**os.environ, **{k: v for k, v in site.items() if k.startswith("GTM_")}}
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def open_data_page(page, site) -> None:  # noqa: F811
    page.goto(f"{site['url']}/data")
    page.wait_for_selector("text=此页仅限已登录的分析员和管理员", timeout=RENDER_TIMEOUT_MS)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    page.wait_for_selector(UPLOAD_INPUT, state="attached", timeout=RENDER_TIMEOUT_MS)


def upload(page, path: Path) -> None:  # noqa: F811
    page.set_input_files(UPLOAD_INPUT, str(path))
    page.wait_for_selector("text=导入选项", timeout=RENDER_TIMEOUT_MS)


def choose(page, label: str, typed: str) -> None:  # noqa: F811
    """Pick an option of the selectbox called `label` by typing part of it, as a user searches the list."""
    box = page.get_by_label(label, exact=True)
    box.click()
    box.fill(typed)
    page.keyboard.press("Enter")


def test_a_communique_table_without_a_region_imports_after_choosing_the_region_on_the_page(site, page, tmp_path):  # noqa: F811
    path = tmp_path / "公报.xlsx"
    path.write_bytes(communique(tmp_path / "c.xlsx"))
    open_data_page(page, site)
    upload(page, path)
    page.wait_for_selector("text=文件未通过校验", timeout=RENDER_TIMEOUT_MS)
    assert "“导入选项”中的“全表地区”" in page.inner_text("body") and "--region" not in page.inner_text("body")
    choose(page, "全表地区", "湛江市")
    page.wait_for_selector("text=已识别", timeout=RENDER_TIMEOUT_MS)
    page.get_by_role("button", name="发布").click()
    page.wait_for_selector("text=已发布为批次", timeout=RENDER_TIMEOUT_MS)
    history = json.loads(cli(site, "history", "--json").stdout)
    assert history[-1]["file_name"] == "公报.xlsx" and history[-1]["new_count"] + history[-1]["changed_count"] == 6
    assert_clean(page)


def test_a_recipe_saved_in_the_browser_is_applied_by_the_cli(site, page, tmp_path):  # noqa: F811
    path = tmp_path / "公报.xlsx"
    path.write_bytes(communique(tmp_path / "c.xlsx"))
    open_data_page(page, site)
    upload(page, path)
    choose(page, "全表地区", "湛江市")
    page.wait_for_selector("text=已识别", timeout=RENDER_TIMEOUT_MS)
    page.get_by_label("配方名称（字母、数字、汉字、下划线、连字符）").fill("browser_recipe")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="保存当前选项为配方").click()
    page.wait_for_selector("text=已保存导入配方“browser", timeout=RENDER_TIMEOUT_MS)
    result = cli(site, "import", str(path), "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["recipe"] == "browser_recipe" and {r["region_id"] for r in preview["rows"]} == {"zhanjiang"}


def test_a_recipe_saved_by_the_cli_is_offered_and_applied_in_the_browser(site, page, tmp_path):  # noqa: F811
    path = tmp_path / "天津公报.xlsx"
    communique(path)
    path.write_bytes(path.read_bytes())
    for recipe in Path(site["GTM_RECIPES_DIR"]).glob("browser_recipe.yaml"):
        recipe.unlink()  # the fingerprint is the same as the last test's file: only the CLI's recipe should match
    result = cli(site, "import", str(path), "--region", "天津", "--dry-run", "--save-recipe", "cli_recipe")
    assert result.returncode == 0, result.stderr
    open_data_page(page, site)
    upload(page, path)
    page.wait_for_selector("text=已自动套用与本文件格式相同的配方“cli", timeout=RENDER_TIMEOUT_MS)
    page.get_by_text("导入选项", exact=True).click()  # folded: the file imports as it is
    page.get_by_label("使用配方", exact=True).click()
    page.wait_for_selector('[role="option"]:has-text("cli_recipe")', timeout=RENDER_TIMEOUT_MS)
    page.keyboard.press("Escape")


def test_a_rollback_names_its_batch_cannot_repeat_itself_and_the_batch_can_be_re_applied(site, page):  # noqa: F811
    open_data_page(page, site)
    newest = max(b["batch_id"] for b in json.loads(cli(site, "history", "--json").stdout) if b["rolled_back_at"] is None)
    confirm = page.get_by_text(f"确认撤销批次 {newest}（")
    confirm.click()
    page.get_by_role("button", name="撤销", exact=True).click()
    page.wait_for_selector(f"text=已撤销批次 {newest}", timeout=RENDER_TIMEOUT_MS)
    # The confirmation was used up: the next batch's box is unticked and the button is disabled.
    assert page.get_by_role("button", name="撤销", exact=True).is_disabled()
    assert page.locator('[data-testid="stCheckbox"] input:checked').count() == 0
    history = json.loads(cli(site, "history", "--json").stdout)
    assert [b["batch_id"] for b in history if b["rolled_back_at"] is not None] == [newest]
    page.get_by_text(f"确认重新应用批次 {newest}（").click()
    page.get_by_role("button", name="重新应用", exact=True).click()
    page.wait_for_selector(f"text=已重新应用批次 {newest}，作为新批次", timeout=RENDER_TIMEOUT_MS)
    history = json.loads(cli(site, "history", "--json").stdout)
    assert history[-1]["batch_id"] > newest and history[-1]["rolled_back_at"] is None
    assert_clean(page)
