"""The two HTTP routes of a login that lasts: redeem a one-time ticket for the session cookie, and clear the cookie.

Why HTTP routes: an HttpOnly cookie (one the page's JavaScript cannot read, so an injected script cannot steal it)
can only be set by an HTTP response, and a running Streamlit page talks to the server over its websocket. Streamlit
1.67's st.App (server.py) serves these routes beside the app; a script reads the cookie back with
st.context.cookies, which holds the cookies of the websocket's handshake. A third-party cookie component was not
used: those set cookies from JavaScript, which can never make them HttpOnly.

- GET /gtm-auth/session?ticket=T&next=/data  redeems T once (indicators/store/login_sessions.py), sets the cookie
  and answers 303 to `next` (a path on this site only: `safe_next`).
- GET /gtm-auth/logout?next=/               clears the cookie (the session itself is revoked by the logout button,
  in ui/auth.py, so a forged cross-site request here can at most clear a cookie).
"""

from __future__ import annotations

import html
import logging
import re
from typing import Final
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from indicators import settings
from indicators.accounts.sessions import new_token, token_hash, well_formed
from indicators.errors import UserError
from indicators.inert_text import strip_unsafe
from indicators.store import Store, resolve_db_path
from indicators.texts import load_texts
from ui.client_address import LOOPBACK, LOOPBACK_PEERS, client_address, from_trusted_proxy
from ui.i18n import TEXTS_DIR

log = logging.getLogger("gtm.login_routes")

COOKIE_NAME = "gtm_session"
# Strict: never sent with a request another site starts (no cross-site websocket, form or link can use it). A link
# from elsewhere still opens the dashboard logged in: the page itself needs no cookie, and its websocket, which reads
# it, is started by our own page (tests/test_browser_sessions.py follows such a link).
COOKIE_SAMESITE: Final = "strict"
ROUTE_PREFIX = "gtm-auth"  # outside Streamlit's reserved /_stcore/, /media/, /component/, /static/
MAX_NEXT_CHARS = 2000  # a page path with its query; anything longer is not one of ours
SAFE_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")  # printable URL characters only: no \, spaces, controls
TEXTS = load_texts(TEXTS_DIR / "auth.yaml")

_base: str | None = None  # "/<server.baseUrlPath>/gtm-auth" once server.py has built the app with these routes


def routes() -> list[BaseRoute]:
    """The routes for st.App(routes=…), under server.baseUrlPath like Streamlit's own; calling this tells ui/auth.py
    that a browser can redeem tickets (`streamlit run app.py` has no routes: its logins last as long as the tab)."""
    global _base
    from streamlit import config  # read when the server is built, after `streamlit run` has loaded the options

    base_url = str(config.get_option("server.baseUrlPath") or "").strip("/")
    _base = f"/{base_url}/{ROUTE_PREFIX}" if base_url else f"/{ROUTE_PREFIX}"
    return [Route(f"{_base}/session", redeem, methods=["GET"]), Route(f"{_base}/logout", clear, methods=["GET"])]


def mounted() -> bool:
    return _base is not None


def session_url(ticket: str, next_path: str) -> str:
    return f"{_base}/session?{urlencode({'ticket': ticket, 'next': safe_next(next_path)})}"


def logout_url(next_path: str) -> str:
    return f"{_base}/logout?{urlencode({'next': safe_next(next_path)})}"


def safe_next(value: object) -> str:
    """Where a route may send the browser: a path on this site ('/…'), else '/'. Refuses other sites however spelt:
    '//evil', 'http:…', '/\\evil' (browsers read a backslash as a slash), control characters, over-long values."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_CHARS or not SAFE_PATH.match(value):
        return "/"
    if value.startswith("//"):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def request_is_https(request: Request) -> bool:
    """Whether the browser reached us over https: directly, or through a trusted proxy that says so (X-Forwarded-Proto).
    Only then is the cookie marked Secure (a Secure cookie set over plain http would never come back)."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    if not from_trusted_proxy(peer, settings.trusted_proxies()):
        return False
    proto = (request.headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return proto == "https"


def request_client(request: Request) -> str:
    """The client's address for the audit log, as ui/client_address.py gives it for a page."""
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies())
    return strip_unsafe(LOOPBACK if address in LOOPBACK_PEERS else address, one_line=True)


def redeem(request: Request) -> Response:
    """Trade a one-time ticket for the session cookie, then on to `next` (sync: Starlette runs it on a worker thread,
    where the database may be waited for)."""
    ticket, next_path = request.query_params.get("ticket"), safe_next(request.query_params.get("next"))
    token = new_token()
    session = None
    if well_formed(ticket):
        try:
            session = Store(resolve_db_path()).redeem_login_ticket(token_hash(str(ticket)), token_hash(token),
                                                                   request_client(request))
        except UserError:  # the database busy or unreadable: no cookie, the page says log in again
            log.warning("login ticket not redeemed", exc_info=True)
    if session is None:
        return _refused(next_path)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(COOKIE_NAME, token, path="/", httponly=True, samesite=COOKIE_SAMESITE,
                        secure=request_is_https(request))  # no max_age: the server's idle limit decides, not the browser
    response.headers["Cache-Control"] = "no-store"
    return response


def clear(request: Request) -> Response:
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite=COOKIE_SAMESITE,
                           secure=request_is_https(request))
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(next_path: str) -> Response:
    """A used, expired or forged ticket: say so in both languages, with the way back."""
    body = "".join(f"<p>{html.escape(TEXTS['ticket_refused'][lang])}</p>" for lang in ("zh", "en"))
    back = " / ".join(html.escape(TEXTS["back_to_dashboard"][lang]) for lang in ("zh", "en"))
    page = (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{back}</title></head>'
            f'<body>{body}<p><a href="{html.escape(next_path)}">{back}</a></p></body></html>')
    return HTMLResponse(page, status_code=400, headers={"Cache-Control": "no-store"})
