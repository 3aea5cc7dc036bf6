"""Login sessions, the rules without the storage: tokens and their hashes, and whether a stored session still holds.

A password login lasts beyond one browser tab through a session kept server-side (indicators/store/login_sessions.py
stores it; ui/auth.py and ui/login_routes.py carry it to and from the browser). The browser holds only a random token
in an HttpOnly cookie; the database holds only the token's sha256, so a copy of the database logs nobody in. A session
holds while its user is still in the users file with the same password (the session keeps a fingerprint of the hash
it was checked against: a reset, by the admin page, the CLI or an edit of the file, ends every session of that user),
it has not been revoked, and it has been used within the idle limit (GTM_SESSION_IDLE_HOURS).

One-time tickets carry a fresh login from the tab where the password was typed to the route that sets the cookie
(the cookie needs an HTTP response; a running page only has its websocket): random, stored hashed, single use, short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from indicators.accounts.users_file import User

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits, 43 characters
SESSION_ID_BYTES = 12  # the session's name in the audit log and the tab's memory: never a credential on its own
TICKET_SECONDS = 60  # a ticket is redeemed by the browser within a second; a minute allows a slow machine
TOUCH_INTERVAL = dt.timedelta(minutes=5)  # last_seen_at is written at most this often per session
SYSTEM_ACTOR = "system"  # who the audit log names for a session ended by its rules (expired, user gone)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")  # what token_urlsafe makes; anything else is not looked up

Verdict = Literal["valid", "revoked", "expired", "user_gone", "password_changed"]


def utc_now() -> dt.datetime:
    """Now as the store records it: UTC without a zone (the columns are TIMESTAMP)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_token() -> str:
    """A fresh random secret (a cookie's token or a ticket)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token or ticket: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed(token: object) -> bool:
    """Whether a cookie or query value looks like one of our tokens (others are refused without a database read)."""
    return isinstance(token, str) and bool(TOKEN_PATTERN.match(token))


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of the bcrypt hash a login was checked against: a changed hash means a reset. The hash itself
    never goes into the database."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class StoredSession:
    """One row of login_sessions, as the rules need it."""

    session_id: str
    user_name: str
    password_fingerprint: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None


def verdict(session: StoredSession, user: User | None, now: dt.datetime, idle: dt.timedelta) -> Verdict:
    """Whether `session` still logs its user in at `now` (`user`: the users file's entry for its name, now)."""
    if session.revoked_at is not None:
        return "revoked"
    if user is None or user.password_hash is None:
        return "user_gone"
    if password_fingerprint(user.password_hash) != session.password_fingerprint:
        return "password_changed"
    if now - session.last_seen_at > idle:
        return "expired"
    return "valid"


def due_for_touch(session: StoredSession, now: dt.datetime) -> bool:
    """Whether last_seen_at is old enough to be written again (not on every click: TOUCH_INTERVAL)."""
    return now - session.last_seen_at >= TOUCH_INTERVAL
