"""Login sessions in the database: started with a login, redeemed once for a cookie, touched, revoked.

Why here: a session that outlives one browser tab must be known to every tab, every process (the CLI revokes sessions
when it resets a password) and, later, every instance of the dashboard: the database is the one place they share.
The rules (what a token is, when a session holds) are indicators/accounts/sessions.py; this module is their SQL.

Only hashes of secrets are stored: the cookie's token and the one-time ticket as sha256. Every change goes through
the one write path: starting (audited `login`), redeeming the ticket (`session_start`) and revoking (`logout`,
`session_revoked`, `session_expired`) each with its audit row; touching last_seen_at writes no audit row and never
changes the data version (it would empty every page's cache), and callers touch at most every few minutes.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pandas as pd

from indicators.accounts.sessions import StoredSession
from indicators.store.transaction import now

if TYPE_CHECKING:
    from indicators.store.transaction import Database

FORGET_AFTER = dt.timedelta(days=180)  # rows unused this long are deleted when someone logs in (the audit log keeps them)
_COLUMNS = "session_id, user_name, password_fingerprint, created_at, last_seen_at, revoked_at"


class _NothingChanged(Exception):
    """Raised inside a write whose row was taken by another process meanwhile: rolls back its audit row."""


def start(db: Database, session_id: str, user_name: str, fingerprint: str, ticket_hash: str | None,
          ticket_seconds: float, client_address: str) -> None:
    """A new session for a password login, audited as the login (`ticket_hash`: the one-time ticket that will set
    the cookie, or None when no browser can redeem one)."""
    at = now()
    expires = at + dt.timedelta(seconds=ticket_seconds) if ticket_hash else None
    with db.write(user_name, "login", detail=f"ip={client_address} session={session_id}") as tx:
        tx.con.execute("DELETE FROM login_sessions WHERE last_seen_at < ?", [at - FORGET_AFTER])
        tx.con.execute(
            "INSERT INTO login_sessions (session_id, token_hash, ticket_hash, ticket_expires_at, user_name, "
            "password_fingerprint, created_at, last_seen_at, client_address) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            [session_id, ticket_hash, expires, user_name, fingerprint, at, at, client_address])


def redeem_ticket(db: Database, ticket_hash: str, token_hash: str, client_address: str) -> StoredSession | None:
    """Trade a one-time ticket for the cookie's token (its hash): once, before the ticket expires, from the address
    that logged in, for a session not revoked; audited `session_start`. None when the ticket is unknown, used, expired,
    its session revoked, or it comes from elsewhere (a ticket read off the page by an injected script and sent away is
    worth nothing to its new holder)."""
    at = now()
    rows = db.query(
        f"SELECT {_COLUMNS} FROM login_sessions WHERE ticket_hash = ? AND ticket_expires_at >= ? AND token_hash IS NULL "
        "AND revoked_at IS NULL AND client_address = ?", [ticket_hash, at, client_address])
    if rows.empty:
        return None
    session = _session(rows.iloc[0].to_dict())
    detail = f"ip={client_address} session={session.session_id}"
    try:
        with db.write(session.user_name, "session_start", detail=detail) as tx:
            taken = tx.con.fetchall(
                "UPDATE login_sessions SET token_hash = ?, ticket_hash = NULL, ticket_expires_at = NULL, last_seen_at = ? "
                "WHERE session_id = ? AND ticket_hash = ? AND ticket_expires_at >= ? AND token_hash IS NULL "
                "AND revoked_at IS NULL RETURNING session_id", [token_hash, at, session.session_id, ticket_hash, at])
            if not taken:  # another request redeemed it between the read and the write lock
                raise _NothingChanged
    except _NothingChanged:
        return None
    return StoredSession(session.session_id, session.user_name, session.password_fingerprint, session.created_at, at, None)


def by_token(db: Database, token_hash: str) -> StoredSession | None:
    """The session whose cookie token hashes to `token_hash` (revoked ones too: the caller says why it is refused)."""
    return _one(db, "token_hash", token_hash)


def by_id(db: Database, session_id: str) -> StoredSession | None:
    return _one(db, "session_id", session_id)


def touch(db: Database, session_id: str) -> None:
    """Record that the session was used now: no audit row, no new data version."""
    with db.write() as tx:
        tx.con.execute("UPDATE login_sessions SET last_seen_at = ? WHERE session_id = ? AND revoked_at IS NULL",
                       [now(), session_id])


def revoke(db: Database, session_id: str, *, by: str, reason: str, action: str, client_address: str | None = None) -> bool:
    """End one session, audited as `action` (logout, session_revoked or session_expired) once: False (and no audit
    row) when it had already ended."""
    session = by_id(db, session_id)
    if session is None or session.revoked_at is not None:
        return False
    detail = json.dumps({"reason": reason, **({"ip": client_address} if client_address else {})}, ensure_ascii=False)
    try:
        with db.write(by, action, subject=session.user_name, detail=f"session={session_id} {detail}") as tx:
            ended = tx.con.fetchall(
                "UPDATE login_sessions SET revoked_at = ?, revoked_by = ?, revoke_reason = ? "
                "WHERE session_id = ? AND revoked_at IS NULL RETURNING session_id", [now(), by, reason, session_id])
            if not ended:
                raise _NothingChanged
    except _NothingChanged:
        return False
    return True


def revoke_user(db: Database, user_name: str, *, by: str, reason: str) -> int:
    """End every open session of a user (a password reset, a removal), audited `session_revoked` with the count;
    0 and no audit row when there was none."""
    try:
        with db.write(by, "session_revoked", subject=user_name) as tx:
            ended = tx.con.fetchall(
                "UPDATE login_sessions SET revoked_at = ?, revoked_by = ?, revoke_reason = ? "
                "WHERE user_name = ? AND revoked_at IS NULL RETURNING session_id", [now(), by, reason, user_name])
            if not ended:
                raise _NothingChanged
            tx.audit(detail=json.dumps({"reason": reason, "sessions": len(ended)}, ensure_ascii=False))
    except _NothingChanged:
        return 0
    return len(ended)


def open_sessions(db: Database, user_name: str) -> int:
    """How many sessions of a user have not been revoked (expired ones not yet noticed included)."""
    rows = db.query("SELECT COUNT(*) AS n FROM login_sessions WHERE user_name = ? AND revoked_at IS NULL", [user_name])
    return int(rows["n"].iloc[0])


_LOOKUPS = {  # the only keys a session is found by; the value is always a parameter
    "token_hash": f"SELECT {_COLUMNS} FROM login_sessions WHERE token_hash = ?",
    "session_id": f"SELECT {_COLUMNS} FROM login_sessions WHERE session_id = ?",
}


def _one(db: Database, key: str, value: str) -> StoredSession | None:
    rows = db.query(_LOOKUPS[key], [value])
    return None if rows.empty else _session(rows.iloc[0].to_dict())


def _session(row: dict[str, object]) -> StoredSession:
    revoked = row["revoked_at"]
    return StoredSession(str(row["session_id"]), str(row["user_name"]), str(row["password_fingerprint"]),
                         _timestamp(row["created_at"]), _timestamp(row["last_seen_at"]),
                         None if pd.isna(revoked) else _timestamp(revoked))


def _timestamp(value: object) -> dt.datetime:
    to_pydatetime = getattr(value, "to_pydatetime", None)  # pandas Timestamp
    return to_pydatetime() if callable(to_pydatetime) else value  # type: ignore[return-value]
