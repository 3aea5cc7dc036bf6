"""A password login that lasts, in real Chromium against the real `streamlit run server.py`: reloads, deep links, card
clicks and new tabs keep it; logging out in one tab ends it in all; the cookie is HttpOnly and the database holds only
its hash; forged cookies, replayed tickets and open-redirect `next` values get nowhere; a reset by the CLI logs out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from indicators.accounts.sessions import new_session_id, new_token, token_hash
from indicators.store import Store
from tests.accounts import ANALYST, ANALYST_PASSWORD, make_users_file
from tests.conftest import PROJECT_ROOT
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
from ui.login_routes import COOKIE_NAME

pytestmark = pytest.mark.browser

LOGIN_NEEDED = "text=此页仅限已登录的分析员和管理员"
SIGNED_IN = f"text=已登录：{ANALYST}"
LOGIN_FORM = '[data-testid="stForm"]'


@pytest.fixture(scope="module")
def session_server(tmp_path_factory, demo_database) -> Iterator[tuple[str, Path, Path]]:
    """The real server on a copy of the demo database, with one analyst and one admin: (url, database, users file)."""
    folder = tmp_path_factory.mktemp("session_server")
    db = Path(shutil.copyfile(demo_database, folder / "sessions.duckdb"))
    make_users_file(folder / "users.toml")
    env = {"GTM_DB": str(db), "GTM_USERS": str(folder / "users.toml"), "GTM_TRUSTED_PROXIES": "127.0.0.1"}
    with running_streamlit(folder, env) as url:  # the test plays a trusted proxy: its X-Forwarded-Proto counts
        yield url, db, folder / "users.toml"


@pytest.fixture
def context(browser):  # noqa: F811
    """One browser profile: its tabs share cookies, as a user's do."""
    opened = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    yield opened
    opened.close()


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE_NAME), None)


def logged_in_tab(context, url: str) -> object:
    page = context.new_page()
    open_page(page, f"{url}/", CARD, 17)
    log_in(page, ANALYST, ANALYST_PASSWORD)
    return page


def assert_signed_in(page) -> None:
    page.wait_for_selector(SIGNED_IN, timeout=RENDER_TIMEOUT_MS)
    assert_clean(page)


def assert_viewer(page) -> None:
    page.wait_for_selector(LOGIN_FORM, timeout=RENDER_TIMEOUT_MS)
    assert page.locator(SIGNED_IN).count() == 0


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_a_login_lasts_through_a_reload_a_deep_link_a_card_click_and_a_new_tab(session_server, context):
    url, _, _ = session_server
    page = logged_in_tab(context, url)
    page.reload()
    assert_signed_in(page)
    page.goto(f"{url}/data")
    assert_signed_in(page)
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=RENDER_TIMEOUT_MS)
    assert page.locator(LOGIN_NEEDED).count() == 0
    open_page(page, f"{url}/", CARD, 17)
    page.locator(f"{CARD} a.gtm-name", has_text="非化石能源消费比重").first.click()
    page.wait_for_selector(PLOT, timeout=RENDER_TIMEOUT_MS)
    assert "indicator=non_fossil_energy_consumption_share" in page.url
    assert_signed_in(page)
    other = context.new_page()
    other.goto(f"{url}/comparison?lang=en")
    other.wait_for_selector(f"text=Signed in: {ANALYST}", timeout=RENDER_TIMEOUT_MS)  # the language link keeps it too


def test_a_link_from_another_site_opens_the_dashboard_logged_in(session_server, context):
    url, _, _ = session_server
    page = logged_in_tab(context, url)
    elsewhere = url.replace("127.0.0.1", "localhost")  # another site to the browser (SameSite compares host names)
    page.goto(f"{elsewhere}/_stcore/health")
    page.set_content(f'<a id="there" href="{url}/data">看板</a>')
    page.click("#there")
    assert_signed_in(page)
    assert page.url == f"{url}/data"


def test_the_session_cookie_is_httponly_unreadable_by_the_page_and_only_its_hash_is_stored(session_server, context):
    url, db, _ = session_server
    page = logged_in_tab(context, url)
    cookie = session_cookie(context)
    assert cookie is not None and cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["secure"] is False  # plain http here: a Secure cookie would never come back
    assert COOKIE_NAME not in page.evaluate("document.cookie")
    token = cookie["value"]
    stored = repr(rows(db, "SELECT * FROM login_sessions")) + repr(rows(db, "SELECT * FROM audit_log"))
    assert token not in stored and token_hash(token) in stored
    actions = [a for (a,) in rows(db, "SELECT action FROM audit_log WHERE actor = 'analyst_li' ORDER BY audit_id")]
    assert actions[-2:] == ["login", "session_start"]


def test_logging_out_in_one_tab_logs_out_every_tab(session_server, context):
    url, db, _ = session_server
    first = logged_in_tab(context, url)
    second = context.new_page()
    second.goto(f"{url}/data")
    assert_signed_in(second)
    with first.expect_navigation(timeout=RENDER_TIMEOUT_MS):  # through the route that clears the cookie
        first.get_by_role("button", name="退出登录").click()
    assert_viewer(first)
    assert session_cookie(context) is None
    second.reload()
    second.wait_for_selector(LOGIN_NEEDED, timeout=RENDER_TIMEOUT_MS)
    assert_viewer(second)
    assert rows(db, "SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1") == [("logout",)]


def test_a_tab_still_open_is_logged_out_at_its_next_click_after_a_logout_elsewhere(session_server, context):
    url, db, _ = session_server
    first = logged_in_tab(context, url)
    token = session_cookie(context)["value"]
    [(session_id,)] = rows(db, "SELECT session_id FROM login_sessions WHERE token_hash = ?", [token_hash(token)])
    Store(db).revoke_login_session(session_id, by=ANALYST, reason="logout", action="logout")  # as another tab's button
    first.locator('[data-testid="stSidebar"] label', has_text="English").click()  # any click reruns the page
    first.wait_for_selector("text=Log in (analysts, admins)", timeout=RENDER_TIMEOUT_MS)
    assert first.locator(f"text=Signed in: {ANALYST}").count() == 0


def test_a_forged_or_tampered_cookie_is_a_viewer(session_server, context):
    url, _, _ = session_server
    page = logged_in_tab(context, url)
    token = session_cookie(context)["value"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for value in (new_token(), tampered, "' OR 1=1 --", "x" * 4000):
        context.clear_cookies()
        context.add_cookies([{"name": COOKIE_NAME, "value": value, "url": url}])
        page.goto(f"{url}/data")
        page.wait_for_selector(LOGIN_NEEDED, timeout=RENDER_TIMEOUT_MS)
        assert_viewer(page)


def test_a_password_reset_by_the_cli_logs_the_browser_out(session_server, context):
    url, db, users = session_server
    page = logged_in_tab(context, url)
    reset = subprocess.run([sys.executable, "-m", "indicators.users", "reset", ANALYST, "--password-stdin", "--by", "ops"],
                           input="a-new-password-99\n", capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
                           env={**os.environ, "GTM_DB": str(db), "GTM_USERS": str(users)})
    assert reset.returncode == 0, reset.stderr
    try:
        page.reload()
        assert_viewer(page)
        page.goto(f"{url}/data")
        page.wait_for_selector(LOGIN_NEEDED, timeout=RENDER_TIMEOUT_MS)
    finally:  # the other tests log in with the old password
        make_users_file(users.with_suffix(".fresh"))
        shutil.move(users.with_suffix(".fresh"), users)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One GET without following redirects: status, headers, body."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def ticket_for(db: Path) -> str:
    ticket = new_token()
    Store(db).start_login_session(new_session_id(), ANALYST, "fp", token_hash(ticket), 60, "loopback")  # as from here
    return ticket


@pytest.mark.parametrize("evil", ["//evil.example/x", "http://evil.example/", "/\\evil.example", "https:evil.example"])
def test_the_routes_never_send_the_browser_to_another_site(session_server, evil):
    url, db, _ = session_server
    status, headers, _ = get(f"{url}/gtm-auth/session?" + urllib.parse.urlencode({"ticket": ticket_for(db), "next": evil}))
    assert status == 303 and headers["location"] == "/" and "httponly" in headers["set-cookie"].lower()
    status, headers, _ = get(f"{url}/gtm-auth/logout?" + urllib.parse.urlencode({"next": evil}))
    assert status == 303 and headers["location"] == "/"


def test_a_ticket_works_once_and_a_replay_gets_a_refusal_in_both_languages(session_server):
    url, db, _ = session_server
    query = urllib.parse.urlencode({"ticket": ticket_for(db), "next": "/data?lang=en"})
    status, headers, _ = get(f"{url}/gtm-auth/session?{query}")
    assert status == 303 and headers["location"] == "/data?lang=en" and COOKIE_NAME in headers["set-cookie"]
    status, headers, body = get(f"{url}/gtm-auth/session?{query}")
    assert status == 400 and "set-cookie" not in {k.lower() for k in headers}
    assert "只能使用一次" in body and "it works once" in body and 'href="/data?lang=en"' in body


def test_behind_a_trusted_proxy_that_says_https_the_cookie_is_secure(session_server):
    url, db, _ = session_server
    query = urllib.parse.urlencode({"ticket": ticket_for(db), "next": "/"})
    status, headers, _ = get(f"{url}/gtm-auth/session?{query}", {"X-Forwarded-Proto": "https"})
    assert status == 303 and "secure" in headers["set-cookie"].lower()
    _, headers, _ = get(f"{url}/gtm-auth/session?" + urllib.parse.urlencode({"ticket": ticket_for(db), "next": "/"}))
    assert "secure" not in headers["set-cookie"].lower()
