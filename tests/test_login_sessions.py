"""Login sessions without a browser: the rules, the store's table, the setting, the route's redirect guard, and the
dashboard's login, logout, expiry and revocation under AppTest (tests/test_browser_sessions.py drives Chromium)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import pytest
from starlette.requests import Request
from streamlit.testing.v1 import AppTest

from indicators import settings
from indicators.accounts import User, UsersFile
from indicators.accounts import passwords as users_module
from indicators.accounts.sessions import (
    TOUCH_INTERVAL,
    StoredSession,
    due_for_touch,
    new_session_id,
    new_token,
    password_fingerprint,
    token_hash,
    utc_now,
    verdict,
    well_formed,
)
from indicators.errors import InvalidArgument
from indicators.store import Store
from tests.accounts import ADMIN, ADMIN_PASSWORD, ANALYST, ANALYST_PASSWORD, FAST_ROUNDS, log_in
from tests.conftest import APP, PAGE_TIMEOUT
from ui.login_routes import request_is_https, safe_next

IDLE = dt.timedelta(hours=8)
SIGNED_IN = "已登录："


def table(path: Path, sql: str) -> list[tuple]:
    """Rows straight from the database file (what an attacker with a copy of it would read)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def audit_actions(store: Store) -> list[str]:
    return list(store.audit_log()["action"])[::-1]  # oldest first


def started(store: Store, user: str = ANALYST, *, ticket: str | None = None, fingerprint: str = "fp") -> str:
    session_id = new_session_id()
    store.start_login_session(session_id, user, fingerprint, token_hash(ticket) if ticket else None, 60, "loopback")
    return session_id


# --- the rules -----------------------------------------------------------------------------------------------------
def stored(**changes: object) -> StoredSession:
    now = utc_now()
    values: dict = {"session_id": "s", "user_name": ANALYST, "password_fingerprint": password_fingerprint("hash"),
                    "created_at": now, "last_seen_at": now, "revoked_at": None, **changes}
    return StoredSession(**values)


USER = User(ANALYST, "analyst", password_hash="hash")


def test_a_session_holds_only_for_its_user_with_the_same_password_unrevoked_and_recently_used():
    now = utc_now()
    assert verdict(stored(), USER, now, IDLE) == "valid"
    assert verdict(stored(revoked_at=now), USER, now, IDLE) == "revoked"
    assert verdict(stored(), None, now, IDLE) == "user_gone"
    assert verdict(stored(), User(ANALYST, "analyst", password_hash="new hash"), now, IDLE) == "password_changed"
    assert verdict(stored(last_seen_at=now - IDLE - dt.timedelta(seconds=1)), USER, now, IDLE) == "expired"
    assert verdict(stored(last_seen_at=now - IDLE + dt.timedelta(seconds=1)), USER, now, IDLE) == "valid"


def test_last_seen_is_written_again_only_after_a_few_minutes():
    now = utc_now()
    assert not due_for_touch(stored(last_seen_at=now - dt.timedelta(seconds=30)), now)
    assert due_for_touch(stored(last_seen_at=now - TOUCH_INTERVAL), now)


def test_tokens_are_long_random_and_only_well_formed_values_are_looked_up():
    assert len({new_token() for _ in range(100)}) == 100 and len(new_token()) >= 43
    assert well_formed(new_token())
    for forged in ("", "short", "a" * 200, "../../etc/passwd", "tok en with spaces and more", None, 42, "x'; DROP TABLE"):
        assert not well_formed(forged)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "1e9"])
def test_a_malformed_idle_limit_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("GTM_SESSION_IDLE_HOURS", value)
    with pytest.raises(InvalidArgument, match="GTM_SESSION_IDLE_HOURS"):
        settings.session_idle_hours()


def test_the_idle_limit_is_eight_hours_unless_set(monkeypatch):
    monkeypatch.delenv("GTM_SESSION_IDLE_HOURS", raising=False)
    assert settings.session_idle_hours() == 8
    monkeypatch.setenv("GTM_SESSION_IDLE_HOURS", "0.5")
    assert settings.session_idle_hours() == 0.5


# --- the redirect guard --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["//evil.example", "///evil.example", "http://evil.example/", "https:evil.example",
                                   "javascript:alert(1)", "/\\evil.example", "\\\\evil.example", "evil.example",
                                   "/data\r\nSet-Cookie: x=1", "/a b", " /data", "", None, "/" + "a" * 3000,
                                   "/%0d%0a\x00", "data:text/html,<script>alert(1)</script>"])
def test_a_next_that_could_leave_the_site_is_replaced_by_the_overview(value):
    assert safe_next(value) == "/"


@pytest.mark.parametrize("value", ["/", "/data", "/indicator?plan=tianjin_2022&region=tianjin&lang=en", "/data?x=%2F%2Fa"])
def test_a_next_on_this_site_is_kept(value):
    assert safe_next(value) == value


def request(peer: str, scheme: str = "http", proto: str | None = None) -> Request:
    headers = [(b"x-forwarded-proto", proto.encode())] if proto else []
    return Request({"type": "http", "scheme": scheme, "method": "GET", "path": "/gtm-auth/session", "query_string": b"",
                    "headers": headers, "client": (peer, 50000), "server": ("127.0.0.1", 8501)})


def test_the_cookie_is_secure_over_https_or_behind_a_trusted_proxy_that_says_so_and_only_then(monkeypatch):
    monkeypatch.setenv("GTM_TRUSTED_PROXIES", "10.0.0.2")
    assert request_is_https(request("203.0.113.5", scheme="https"))
    assert request_is_https(request("10.0.0.2", proto="https"))
    assert not request_is_https(request("10.0.0.2", proto="http"))
    assert not request_is_https(request("203.0.113.5", proto="https"))  # anyone can send the header: not believed
    monkeypatch.delenv("GTM_TRUSTED_PROXIES")
    assert not request_is_https(request("10.0.0.2", proto="https"))


# --- the store -----------------------------------------------------------------------------------------------------
def test_a_ticket_redeems_once_and_neither_it_nor_the_token_is_stored_in_clear(store, db_path):
    ticket, token = new_token(), new_token()
    session_id = started(store, ticket=ticket)
    redeemed = store.redeem_login_ticket(token_hash(ticket), token_hash(token), "loopback")
    assert redeemed is not None and redeemed.session_id == session_id and redeemed.user_name == ANALYST
    assert store.redeem_login_ticket(token_hash(ticket), token_hash(new_token()), "loopback") is None  # once only
    assert store.login_session(token_hash=token_hash(token)).session_id == session_id
    everything = repr(table(db_path, "SELECT * FROM login_sessions")) + repr(table(db_path, "SELECT * FROM audit_log"))
    assert ticket not in everything and token not in everything
    assert token_hash(token) in everything
    assert audit_actions(store) == ["login", "session_start"]


def test_an_expired_ticket_or_one_of_a_revoked_session_is_refused(store):
    ticket = new_token()
    session_id = new_session_id()
    store.start_login_session(session_id, ANALYST, "fp", token_hash(ticket), 0, "loopback")  # expires at once
    time.sleep(0.01)
    assert store.redeem_login_ticket(token_hash(ticket), token_hash(new_token()), "loopback") is None
    other = new_token()
    revoked = started(store, ticket=other)
    assert store.revoke_login_session(revoked, by=ANALYST, reason="logout", action="logout")
    assert store.redeem_login_ticket(token_hash(other), token_hash(new_token()), "loopback") is None
    assert store.redeem_login_ticket(token_hash("forged-ticket-forged-ticket"), token_hash(new_token()), "x") is None


def test_a_ticket_is_redeemed_only_from_the_address_that_logged_in(store):
    ticket = new_token()
    store.start_login_session(new_session_id(), ANALYST, "fp", token_hash(ticket), 60, "203.0.113.5")
    assert store.redeem_login_ticket(token_hash(ticket), token_hash(new_token()), "198.51.100.7") is None
    assert store.redeem_login_ticket(token_hash(ticket), token_hash(new_token()), "203.0.113.5") is not None


def test_a_session_is_revoked_and_audited_once(store):
    session_id = started(store)
    assert store.revoke_login_session(session_id, by="system", reason="expired", action="session_expired")
    assert not store.revoke_login_session(session_id, by="system", reason="expired", action="session_expired")
    assert audit_actions(store).count("session_expired") == 1
    assert store.login_session(session_id=session_id).revoked_at is not None


def test_revoking_a_users_sessions_ends_them_all_and_audits_the_count_once(store):
    mine = [started(store) for _ in range(3)]
    theirs = started(store, ADMIN)
    assert store.revoke_user_sessions(ANALYST, by="cli", reason="password_reset") == 3
    assert store.revoke_user_sessions(ANALYST, by="cli", reason="password_reset") == 0  # nothing left: no audit row
    assert all(store.login_session(session_id=s).revoked_at is not None for s in mine)
    assert store.login_session(session_id=theirs).revoked_at is None
    log = store.audit_log()
    revoked = log[log["action"] == "session_revoked"]
    assert len(revoked) == 1 and revoked.iloc[0]["subject"] == ANALYST and '"sessions": 3' in revoked.iloc[0]["detail"]


def test_touching_a_session_writes_no_audit_row_and_keeps_the_data_version(store):
    session_id = started(store)
    version, audit_rows = store.meta("data_version"), len(store.audit_log())
    before = store.login_session(session_id=session_id).last_seen_at
    time.sleep(0.01)
    store.touch_login_session(session_id)
    assert store.login_session(session_id=session_id).last_seen_at > before
    assert store.meta("data_version") == version and len(store.audit_log()) == audit_rows


def test_a_backup_carries_no_login_sessions(store, tmp_path):
    started(store)
    store.backup_to(tmp_path / "backup.duckdb")
    assert table(tmp_path / "backup.duckdb", "SELECT COUNT(*) FROM login_sessions") == [(0,)]


# --- the dashboard (AppTest) ---------------------------------------------------------------------------------------
@pytest.fixture
def dashboard(app_state, tmp_path) -> Store:  # app_state: its own database and users file
    return Store(tmp_path / "app.duckdb")


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT).run()


def signed_in(at: AppTest) -> bool:
    return any(SIGNED_IN in c.value for c in at.sidebar.caption)


def sessions(store: Store) -> list[tuple]:
    return table(store.path, "SELECT user_name, token_hash, revoked_at, revoked_by, revoke_reason FROM login_sessions")


def test_a_form_login_starts_a_session_and_logout_revokes_it(dashboard):
    at = log_in(app(), ANALYST, ANALYST_PASSWORD)
    assert signed_in(at)
    [(user, token, revoked, _, _)] = sessions(dashboard)
    assert user == ANALYST and token is None and revoked is None  # no browser here to redeem the ticket
    login_row = dashboard.audit_log().iloc[0]
    assert login_row["action"] == "login" and "session=" in login_row["detail"]
    at.button(key="auth_logout").click()
    at = at.run()
    assert not signed_in(at)
    [(_, _, revoked, by, reason)] = sessions(dashboard)
    assert revoked is not None and by == ANALYST and reason == "logout"
    assert dashboard.audit_log().iloc[0]["action"] == "logout"


def test_a_password_reset_by_the_cli_logs_the_tab_out_at_its_next_run(dashboard, command, monkeypatch):
    at = log_in(app(), ANALYST, ANALYST_PASSWORD)
    monkeypatch.setattr(users_module, "BCRYPT_ROUNDS", FAST_ROUNDS)
    result = command("indicators.users", "reset", ANALYST, "--password-stdin", "--by", "cli-admin",
                     stdin="another-password-77\n")
    assert result.returncode == 0 and "1 login session(s) ended" in result.stdout
    at = at.run()
    assert not signed_in(at)
    [(_, _, revoked, by, reason)] = sessions(dashboard)
    assert revoked is not None and by == "cli-admin" and reason == "password_reset"
    assert audit_actions(dashboard)[-2:] == ["user_reset", "session_revoked"]


def test_removing_a_user_on_the_admin_page_revokes_their_sessions(dashboard):
    analyst = log_in(app(), ANALYST, ANALYST_PASSWORD)
    admin = log_in(app(), ADMIN, ADMIN_PASSWORD)
    admin.switch_page("views/admin.py")
    admin = admin.run()
    admin.selectbox(key="change_user").select(ANALYST)
    admin.checkbox(key="remove_user_confirm").check()
    admin = admin.run()
    admin.button(key="remove_user").click()
    admin = admin.run()
    assert ANALYST not in UsersFile(settings.users_path()).load()
    revoked = [row for row in sessions(dashboard) if row[0] == ANALYST]
    assert revoked and revoked[0][2] is not None and revoked[0][3] == ADMIN and revoked[0][4] == "user_removed"
    assert not signed_in(analyst.run())
    assert signed_in(admin)  # the admin's own session is untouched


def test_a_role_change_keeps_the_session_and_the_new_role_counts_at_once(dashboard):
    at = log_in(app(), ANALYST, ANALYST_PASSWORD)
    UsersFile(settings.users_path()).set_role(ANALYST, "admin")
    at = at.run()
    assert signed_in(at) and "管理员" in at.sidebar.caption[0].value
    assert sessions(dashboard)[0][2] is None


def test_a_session_idle_past_the_limit_is_refused_and_audited_once(dashboard, monkeypatch):
    monkeypatch.setenv("GTM_SESSION_IDLE_HOURS", str(2 / 3600))  # two seconds
    at = log_in(app(), ANALYST, ANALYST_PASSWORD)
    time.sleep(2.5)
    at = at.run()
    assert not signed_in(at)
    at.run()
    assert audit_actions(dashboard).count("session_expired") == 1
    [(_, _, revoked, by, reason)] = sessions(dashboard)
    assert revoked is not None and by == "system" and reason == "expired"


def test_removing_a_user_with_the_cli_ends_their_sessions_and_the_tab_is_a_viewer(dashboard, command):
    at = log_in(app(), ANALYST, ANALYST_PASSWORD)
    result = command("indicators.users", "remove", ANALYST, "--by", "cli-admin")
    assert result.returncode == 0 and "1 login session(s) ended" in result.stdout
    [(_, _, revoked, by, reason)] = sessions(dashboard)
    assert revoked is not None and by == "cli-admin" and reason == "user_removed"
    assert not signed_in(at.run())
    assert audit_actions(dashboard)[-2:] == ["user_remove", "session_revoked"]
