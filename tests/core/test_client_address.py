"""core.client_address: X-Forwarded-For counts only when our own proxy sent it."""

from __future__ import annotations

import pytest

from core.client_address import client_address, scope_client_address


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address("198.51.100.4", "203.0.113.9") == "198.51.100.4"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address("198.51.100.4", "203.0.113.9") == "198.51.100.4"


def test_the_right_most_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    # The client wrote "1.2.3.4" itself; our balancer 192.0.2.1 appended the real peer.
    header = "1.2.3.4, 203.0.113.9, 192.0.2.1"
    assert client_address("10.1.2.3", header) == "203.0.113.9"


def test_only_proxies_in_the_chain_gives_the_left_most(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address("10.0.0.2", "10.0.0.9, 10.0.0.5") == "10.0.0.9"


@pytest.mark.parametrize("junk", ["not-an-ip", "", "unknown", "1.2.3.4.5"])
def test_a_malformed_hop_stops_at_the_last_readable_one(settings, junk):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address("10.0.0.2", f"203.0.113.9, {junk}") == "10.0.0.2"


def test_ports_brackets_and_mapped_ipv4_are_read(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    assert client_address("::1", "[2001:db8::7]:443") == "2001:db8::7"
    assert client_address("::ffff:10.0.0.2", "203.0.113.9:5000") == "203.0.113.9"


def test_an_asgi_scope_is_read_the_same_way(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    scope = {
        "client": ("127.0.0.1", 50000),
        "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.9")],
    }
    assert scope_client_address(scope) == "203.0.113.9"
    assert scope_client_address({"client": None, "headers": []}) == "unknown"
