"""Which address a request came from, for the audit log: what the server can know, never what a client claims.

The peer address of the browser's connection, unless that peer is a configured trusted reverse proxy
(GTM_TRUSTED_PROXIES): then the nearest untrusted address in its X-Forwarded-For. Streamlit reports a loopback
peer as no address; that is recorded as "loopback". Without a browser connection (a script, a test) it is "unknown".
"""

from __future__ import annotations

import ipaddress

import streamlit as st

from indicators import settings
from indicators.inert_text import strip_unsafe

LOOPBACK = "loopback"  # the browser runs on the server itself (or a proxy on it that is not declared trusted)
UNKNOWN = "unknown"  # no browser connection at all
LOOPBACK_PEERS = frozenset({"127.0.0.1", "::1", LOOPBACK})


def client_address(peer: str | None, forwarded_for: str | None, trusted: frozenset[str]) -> str:
    """The client's address from the connection's peer and, behind a trusted proxy, its X-Forwarded-For header."""
    address = peer or UNKNOWN
    if not from_trusted_proxy(address, trusted):
        return address
    # Proxies append the address they saw: read from the right, skipping our own proxies.
    for hop in reversed([h.strip() for h in (forwarded_for or "").split(",") if h.strip()]):
        if hop in trusted:
            continue
        return hop if _is_address(hop) else UNKNOWN
    return address


def from_trusted_proxy(peer: str | None, trusted: frozenset[str]) -> bool:
    """Whether the connection's peer is one of our reverse proxies (whose X-Forwarded-* headers are believed)."""
    address = peer or UNKNOWN
    return address in trusted or (address in LOOPBACK_PEERS and bool(trusted & LOOPBACK_PEERS))


def current_client_address() -> str:
    """This session's client address (see module docstring)."""
    try:
        headers = st.context.headers
        has_connection = bool(headers)
        peer = st.context.ip_address
        forwarded = headers.get("X-Forwarded-For") if has_connection else None
    except Exception:  # no script-run context: not a browser session
        return UNKNOWN
    if not has_connection:
        return UNKNOWN
    return strip_unsafe(client_address(peer or LOOPBACK, forwarded, settings.trusted_proxies()), one_line=True)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
