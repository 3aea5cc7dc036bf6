"""Who is looking: the sidebar login (password or single sign-on) and the session's identity.

The role decision itself is made in ui/actions.py (the one place with the role check); this module only
says who the session belongs to, re-reading the users file every time, so removing a user, changing a
role or resetting a password takes effect on that user's very next click.

- Password users: the sidebar form; the session keeps the name and the hash it was checked against
  (server-side, in st.session_state). Repeated failures are slowed down per user name and per session
  (indicators/accounts/throttle.py LoginThrottle, in the server's memory).
- Single sign-on: when .streamlit/secrets.toml has an [auth] section (OIDC; needs the Authlib package),
  a button calls st.login(); st.user's e-mail is looked up in the users file for a role. A signed-in
  e-mail without an entry stays a viewer.
"""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from indicators.accounts import LoginOutcome, LoginThrottle, User, UsersFile, attempt_login, resolve_users_path
from indicators.errors import UserError
from indicators.inert_text import strip_unsafe
from indicators.texts import load_texts
from ui import queries
from ui.client_address import current_client_address
from ui.i18n import TEXTS_DIR, text_from
from ui.safe import md_escape

log = logging.getLogger("gtm.auth")

SESSION_KEY = "gtm_auth"  # {"name": …, "hash": the password hash the login was checked against}
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


def identity() -> User | None:
    """The logged-in user of this session, checked against the users file now; None for a viewer."""
    try:
        users = users_file()
        session = st.session_state.get(SESSION_KEY)
        if session:
            user = users.get(session["name"])
            if user is not None and user.password_hash == session["hash"]:
                return user
            st.session_state.pop(SESSION_KEY, None)  # removed, or the password was reset: log out
            return None
        if sso_configured() and st.user.get("is_logged_in"):
            email = st.user.get("email")
            return users.by_email(email if isinstance(email, str) else None)
    except UserError:
        log.exception("users file unreadable")
    return None


def role_label(role: str) -> str:
    return text(f"role_{role}")


def _throttle_keys() -> list[str]:
    """The session, besides the user name. Not the client address: behind a reverse proxy every user shares one,
    and one guesser would lock everybody out."""
    ctx = get_script_run_ctx()
    return [f"session:{ctx.session_id}"] if ctx is not None else []


def login(name: str, password: str) -> LoginOutcome:
    """Check a password login; on success the session is logged in. Every attempt is audited, throttled ones too."""
    name = strip_unsafe(name, one_line=True)[:MAX_NAME_CHARS]  # no control or bidi characters reach the log
    outcome = attempt_login(users_file(), throttle(), name, password, extra_keys=_throttle_keys())
    if outcome.wait_seconds:  # refused without a password check, and audited as such
        _audit(name or "(empty)", "login_throttled")
        return outcome
    if outcome.user is not None:
        st.session_state[SESSION_KEY] = {"name": outcome.user.name, "hash": outcome.user.password_hash}
    _audit(name or "(empty)", "login" if outcome.ok else "login_failed")
    return outcome


def logout() -> None:
    user = identity()
    st.session_state.pop(SESSION_KEY, None)
    if user is not None:
        _audit(user.name, "logout")


def _audit(actor: str, action: str) -> None:
    """Audit a login event; a busy database must not stop anyone logging in, so failures are only logged."""
    try:
        queries.store().record_audit(actor, action, detail=f"ip={current_client_address()}")
    except UserError:
        log.warning("audit row for %s of %s not written", action, actor, exc_info=True)


def sidebar() -> None:
    """The login form, or who is logged in with a logout button."""
    user = identity()
    box = st.sidebar
    if user is not None:
        box.caption(text("signed_in_as", name=md_escape(user.name), role=role_label(user.role)))
        if box.button(text("logout"), key="auth_logout"):
            through_sso = st.session_state.get(SESSION_KEY) is None
            logout()
            if through_sso:
                st.logout()  # removes the identity cookie and starts a new session
            st.rerun()
        return
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
