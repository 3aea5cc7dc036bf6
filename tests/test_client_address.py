"""The audit log's client address: the connection's peer, or behind a trusted proxy its X-Forwarded-For."""

from __future__ import annotations

import pytest

from ui.client_address import LOOPBACK, UNKNOWN, client_address

PROXY = frozenset({"10.0.0.5"})


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("203.0.113.9", None, frozenset(), "203.0.113.9"),  # a direct connection: its peer
    ("203.0.113.9", "1.2.3.4", frozenset(), "203.0.113.9"),  # a header from an untrusted client is ignored
    ("10.0.0.5", "198.51.100.7", PROXY, "198.51.100.7"),  # behind our proxy: the address it saw
    ("10.0.0.5", "6.6.6.6, 198.51.100.7", PROXY, "198.51.100.7"),  # a forged first hop is not believed
    ("10.0.0.5", "198.51.100.7, 10.0.0.5", PROXY, "198.51.100.7"),  # chained through our own proxies
    ("10.0.0.5", "<script>alert(1)</script>", PROXY, UNKNOWN),  # garbage is not an address
    ("10.0.0.5", None, PROXY, "10.0.0.5"),  # the proxy sent no header: its own address
    (LOOPBACK, "9.9.9.9", frozenset(), LOOPBACK),  # a local browser
    (LOOPBACK, "9.9.9.9", frozenset({"127.0.0.1"}), "9.9.9.9"),  # a proxy on this machine, declared trusted
    (None, None, frozenset(), UNKNOWN),
])
def test_the_client_address_is_what_the_server_can_know(peer, forwarded, trusted, expected):
    assert client_address(peer, forwarded, trusted) == expected
