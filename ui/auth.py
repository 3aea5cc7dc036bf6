"""Who is looking: the sidebar login (password or single sign-on) and the session's identity.

The role decision itself is made in ui/actions.py (the one place with the role check); this module only
says who the session belongs to, re-reading the users file every time, so removing a user, changing a
role or resetting a password takes effect on that user's very next click.

- Password users: the sidebar form; the tab keeps the name, the hash it was checked against and its login session
  (server-side, in st.session_state). Repeated failures are slowed down per user name and per session
  (indicators/accounts/throttle.py LoginThrottle, in the server's memory). The login also starts a session in the
  database (indicators/store/login_sessions.py) and hands the browser a one-time ticket, which the route in
  ui/login_routes.py trades for an HttpOnly cookie: reloads, deep links and new tabs then find the login through
  st.context.cookies. Every run re-checks that session (revoked? idle too long? user or password changed?), once
  per run (`begin_run`), so a logout, a reset or a removal ends it in every tab at its next click.
- Single sign-on: when .streamlit/secrets.toml has an [auth] section (OIDC; needs the Authlib package),
  a button calls st.login(); st.user's e-mail is looked up in the users file for a role. A signed-in
  e-mail without an entry stays a viewer.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from indicators import settings
from indicators.accounts import LoginOutcome, LoginThrottle, User, UsersFile, attempt_login, resolve_users_path
from indicators.accounts.sessions import (
    SYSTEM_ACTOR,
    TICKET_SECONDS,
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
from indicators.errors import UserError
from indicators.inert_text import strip_unsafe
from indicators.texts import load_texts
from ui import login_routes, queries
from ui.client_address import current_client_address
from ui.i18n import TEXTS_DIR, text_from
from ui.safe import md_escape

log = logging.getLogger("gtm.auth")

SESSION_KEY = "gtm_auth"  # {"name": …, "hash": the password hash it was checked against, "session": its session id}
PENDING_TICKET_KEY = "gtm_auth_ticket"  # a fresh login's one-time ticket, until the browser is sent to redeem it
PENDING_LOGOUT_KEY = "gtm_auth_clear_cookie"  # after a logout: send the browser to clear its cookie
RUN_CHECK_KEY = "gtm_auth_checked"  # this run's verdict on the cookie: (User or None, its session or None)
MAX_NAME_CHARS = 64  # longer input is cut before it reaches the throttle or the audit log

TEXTS = load_texts(TEXTS_DIR / "auth.yaml")


def text(key: str, **values: object) -> str:
    return text_from(TEXTS, key, **values)


def users_file() -> UsersFile:
    return UsersFile(resolve_users_path())


@st.cache_resource(show_spinner=False)
def throttle() -> LoginThrottle:
    """Failed logins of this server process (all sessions)."""
    return LoginThrottle()


def sso_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (OIDC single sign-on)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def begin_run() -> None:
    """Called at the top of every run (app.py): the cookie's session is looked up again, once, in this run."""
    st.session_state.pop(RUN_CHECK_KEY, None)


def identity() -> User | None:
    """The logged-in user of this session, checked against the users file now; None for a viewer."""
    try:
        users = users_file()
        session = st.session_state.get(SESSION_KEY)
        if session:
            user = users.get(session["name"])
            if user is not None and user.password_hash == session["hash"] and _tab_session_holds(session, users):
                return user
            st.session_state.pop(SESSION_KEY, None)  # removed, reset, logged out elsewhere or expired: log out
            return None
        user, _ = _cookie_login(users)
        if user is not None:
            return user
        if sso_configured() and st.user.get("is_logged_in"):
            email = st.user.get("email")
            return users.by_email(email if isinstance(email, str) else None)
    except UserError:
        log.exception("users file unreadable")
    return None


def _tab_session_holds(session: dict, users: UsersFile) -> bool:
    """Whether the login session this tab started still holds (a tab logged in while the database was busy has
    none: its login lasts as long as the tab, as before sessions existed)."""
    if not session.get("session"):
        return True
    checked = st.session_state.get(RUN_CHECK_KEY)
    if checked is None:
        try:
            stored = queries.store().login_session(session_id=session["session"])
        except UserError:  # the database busy: the tab's own login still stands for this run
            log.warning("login session not checked", exc_info=True)
            return True
        checked = (_holding(stored, users), stored)
        st.session_state[RUN_CHECK_KEY] = checked
    return checked[0] is not None


def _cookie_login(users: UsersFile) -> tuple[User | None, StoredSession | None]:
    """The user the browser's session cookie logs in, and that session; checked once per run."""
    checked = st.session_state.get(RUN_CHECK_KEY)
    if checked is not None:
        return checked
    token = _cookie_token()
    user, stored = None, None
    if token is not None:
        try:
            stored = queries.store().login_session(token_hash=token_hash(token))
            user = _holding(stored, users)
        except UserError:  # the database busy: a viewer for this run, the cookie is kept
            log.warning("session cookie not checked", exc_info=True)
    st.session_state[RUN_CHECK_KEY] = (user, stored)
    return user, stored


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(login_routes.COOKIE_NAME)
    except Exception:  # no browser connection (a script, AppTest): no cookie
        return None
    return token if well_formed(token) else None


def _holding(stored: StoredSession | None, users: UsersFile) -> User | None:
    """The session's user if the session still holds now; otherwise None, and a session that has just expired or
    lost its user or password is revoked (audited once: a revoked one is never revoked again)."""
    if stored is None:
        return None
    user = users.get(stored.user_name)
    now = utc_now()
    found = verdict(stored, user, now, dt.timedelta(hours=settings.session_idle_hours()))
    try:  # a busy database delays the bookkeeping, never the answer
        if found == "valid" and due_for_touch(stored, now):
            queries.store().touch_login_session(stored.session_id)
        elif found not in ("valid", "revoked"):
            queries.store().revoke_login_session(stored.session_id, by=SYSTEM_ACTOR, reason=found,
                                                 action="session_expired" if found == "expired" else "session_revoked")
    except UserError:
        log.warning("login session %s not updated", stored.session_id, exc_info=True)
    return user if found == "valid" else None


def role_label(role: str) -> str:
    return text(f"role_{role}")


def _throttle_keys() -> list[str]:
    """The session, besides the user name. Not the client address: behind a reverse proxy every user shares one,
    and one guesser would lock everybody out."""
    ctx = get_script_run_ctx()
    return [f"session:{ctx.session_id}"] if ctx is not None else []


def login(name: str, password: str) -> LoginOutcome:
    """Check a password login; on success this tab is logged in at once and a login session starts (audited as the
    login), with a one-time ticket for the browser's cookie when the server has the route for it. Every attempt is
    audited, throttled ones too."""
    name = strip_unsafe(name, one_line=True)[:MAX_NAME_CHARS]  # no control or bidi characters reach the log
    outcome = attempt_login(users_file(), throttle(), name, password, extra_keys=_throttle_keys())
    if outcome.wait_seconds:  # refused without a password check, and audited as such
        _audit(name or "(empty)", "login_throttled")
        return outcome
    if outcome.user is None:
        _audit(name or "(empty)", "login_failed")
        return outcome
    user = outcome.user
    session_id: str | None = new_session_id()
    ticket = new_token() if login_routes.mounted() else None
    try:
        queries.store().start_login_session(str(session_id), user.name, password_fingerprint(user.password_hash),
                                            token_hash(ticket) if ticket else None, TICKET_SECONDS,
                                            current_client_address())
    except UserError:  # a busy database must not stop anyone logging in: this tab only, as before sessions
        log.warning("login session for %s not stored", user.name, exc_info=True)
        session_id, ticket = None, None
    st.session_state[SESSION_KEY] = {"name": user.name, "hash": user.password_hash, "session": session_id}
    st.session_state.pop(RUN_CHECK_KEY, None)
    if ticket:
        st.session_state[PENDING_TICKET_KEY] = ticket
    return outcome


def logout() -> None:
    """End this login everywhere: its session is revoked (audited `logout`), so every tab showing it is logged out
    at its next click, and the browser is sent to clear its cookie."""
    user = identity()
    tab = st.session_state.pop(SESSION_KEY, None)
    checked = st.session_state.pop(RUN_CHECK_KEY, None)
    session_id = (tab or {}).get("session") or (checked[1].session_id if checked and checked[1] else None)
    if user is None:
        return
    if session_id:
        try:
            queries.store().revoke_login_session(session_id, by=user.name, reason="logout", action="logout",
                                                 client_address=current_client_address())
        except UserError:
            log.warning("login session %s not revoked", session_id, exc_info=True)
    else:
        _audit(user.name, "logout")
    if _cookie_token() is not None and login_routes.mounted():
        st.session_state[PENDING_LOGOUT_KEY] = True


def logged_in_by_password() -> bool:
    """Whether this run's login is a password login (this tab's, or a session cookie's), not single sign-on."""
    if st.session_state.get(SESSION_KEY):
        return True
    checked = st.session_state.get(RUN_CHECK_KEY)
    return bool(checked and checked[0] is not None)


def revoke_sessions_of(name: str, reason: str, by: str) -> int:
    """End every login session of a user (a password reset, a removal); audited when there was one."""
    return queries.store().revoke_user_sessions(name, by=by, reason=reason)


def _here() -> str:
    """This page's path and query, where the browser comes back to after a cookie route."""
    try:
        url = st.context.url
    except Exception:
        url = None
    path = urlsplit(url).path if url else "/"
    query = urlencode(st.query_params.to_dict())
    return f"{path or '/'}{'?' + query if query else ''}"


def _send_browser(url: str, label: str) -> None:
    """Move this tab to one of our own routes (a URL we built: our ticket, our path): by script at once, with a plain
    link in case scripts are off."""
    target = json.dumps(url).replace("<", "\\u003c")  # a JS string that cannot close the script element
    st.html(f"<script>window.location.replace({target});</script>", unsafe_allow_javascript=True)
    st.sidebar.markdown(f'<a href="{html.escape(url)}" target="_self">{html.escape(label)}</a>', unsafe_allow_html=True)


def _redirect_if_pending() -> None:
    ticket = st.session_state.pop(PENDING_TICKET_KEY, None)
    if ticket:
        _send_browser(login_routes.session_url(ticket, _here()), text("login_continue"))
    elif st.session_state.pop(PENDING_LOGOUT_KEY, None):
        _send_browser(login_routes.logout_url(_here()), text("logged_out_everywhere"))


def _audit(actor: str, action: str) -> None:
    """Audit a login event; a busy database must not stop anyone logging in, so failures are only logged."""
    try:
        queries.store().record_audit(actor, action, detail=f"ip={current_client_address()}")
    except UserError:
        log.warning("audit row for %s of %s not written", action, actor, exc_info=True)


def sidebar() -> None:
    """The login form, or who is logged in with a logout button."""
    _redirect_if_pending()
    user = identity()
    box = st.sidebar
    if user is not None:
        box.caption(text("signed_in_as", name=md_escape(user.name), role=role_label(user.role)))
        if box.button(text("logout"), key="auth_logout"):
            through_sso = not logged_in_by_password()
            logout()
            if through_sso:
                st.logout()  # removes the identity cookie and starts a new session
            st.rerun()
        return
    if _cookie_token() is not None:  # a cookie that no longer logs in: say why the form is back
        box.caption(text("session_ended"))
    if sso_configured() and st.user.get("is_logged_in"):
        box.caption(text("sso_viewer", email=md_escape(st.user.get("email") or "")))
    with box.form("auth_login", clear_on_submit=True, border=True):
        st.markdown(f"**{text('login_title')}**")
        name = st.text_input(text("user_name"), key="auth_name", max_chars=MAX_NAME_CHARS)
        password = st.text_input(text("password"), type="password", key="auth_password")
        submitted = st.form_submit_button(text("login"), key="auth_submit")
    if submitted:
        try:
            outcome = login(name, password)
        except UserError:
            log.exception("users file unreadable")
            box.error(text("users_file_broken"))
            return
        if outcome.ok:
            st.rerun()
        elif outcome.wait_seconds:
            box.error(text("login_wait", seconds=int(outcome.wait_seconds)))
        else:
            box.error(text("login_failed"))
    if sso_configured() and not st.user.get("is_logged_in") and box.button(text("sso_login"), key="auth_sso"):
        try:
            st.login()
        except Exception:  # Authlib missing or the [auth] section incomplete: say so, never a traceback
            log.exception("single sign-on failed")
            box.error(text("sso_missing_authlib"))


def refuse_page() -> None:
    """Stop a page that needs a login: a clear message, the sidebar form is where to log in."""
    st.error(text("login_needed"))
    st.stop()
