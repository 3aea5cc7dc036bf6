"""Several dashboard instances on one PostgreSQL database, as behind a load balancer: each sees a write made through
the CLI at its next page load, and a login made on one is a login on the other (the sessions live in the database)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.accounts import ANALYST, ANALYST_PASSWORD, make_users_file
from tests.conftest import PROJECT_ROOT, postgres_url, write_xlsx
from tests.test_browser import RENDER_TIMEOUT_MS, browser, log_in, page, running_streamlit  # noqa: F401

pytestmark = pytest.mark.browser

NEW_VALUE = 13.7  # 天津 非化石能源消费比重 2025: newer than any demo figure, so every card and row shows it
ROWS = [["天津市", "非化石能源消费比重", 2025, None, NEW_VALUE, "%", "初步", "2025年快报", None]]
CARD = ".gtm-card"


@pytest.fixture(scope="module")
def instances(postgres, tmp_path_factory) -> Iterator[dict[str, object]]:
    """Two `streamlit run server.py` processes on one PostgreSQL schema, one users file between them."""
    folder = tmp_path_factory.mktemp("instances")
    make_users_file(folder / "users.toml")
    url = postgres_url(postgres, folder / "shared")
    with ExitStack() as servers:
        urls = []
        for n in (1, 2):
            own = folder / f"instance{n}"
            own.mkdir()
            urls.append(servers.enter_context(running_streamlit(own, {"GTM_DB": url, "GTM_USERS": str(folder / "users.toml")})))
        yield {"db": url, "urls": urls, "folder": folder}


def shown_after_load(page, url: str) -> str:  # noqa: F811
    page.goto(url)
    page.wait_for_selector(CARD, timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    return page.inner_text("body")


def test_a_cli_import_on_postgresql_shows_in_both_instances_at_their_next_load(instances, page, tmp_path):  # noqa: F811
    first, second = instances["urls"]
    for url in (first, second):  # both have drawn (and cached) the demo figures before the import
        assert f"{NEW_VALUE}%" not in shown_after_load(page, url)
    path = write_xlsx(tmp_path / "快报.xlsx", ROWS)
    done = subprocess.run([sys.executable, "-m", "loaders", "import", str(path), "--db", str(instances["db"]), "--user", "cli"],
                          cwd=PROJECT_ROOT, env={**os.environ, "GTM_USERS": str(instances["folder"] / "users.toml")},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for url in (first, second):
        assert f"{NEW_VALUE}%" in shown_after_load(page, url)


def test_a_login_on_one_instance_is_a_login_on_the_other(instances, page):  # noqa: F811
    first, second = instances["urls"]
    shown_after_load(page, first)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    page.goto(f"{second}/data")  # the same host: the browser sends the same cookie to the other instance
    page.wait_for_selector(f"text=已登录：{ANALYST}", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=RENDER_TIMEOUT_MS)
