"""Who is asking: the client's address, as far as it can be trusted.

The socket's peer is the client unless the peer is one of our own proxies
(`settings.TRUSTED_PROXIES`, addresses or CIDRs, empty by default). Only then is
`X-Forwarded-For` read, from the right: each proxy appends the address it received the
request from, so the right-most address that is not one of our proxies is the client.
Anything to its left was written by the client and proves nothing. An entry that is not
an address stops the walk there: the last hop we could read is the best we know.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Any, proxies: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None = None) -> str:
    """The client's address given the socket's `peer` and the `X-Forwarded-For` value."""
    proxies = trusted_proxies()
    peer_address = _parse(peer or "")
    if peer_address is None:
        return peer or "unknown"
    if not proxies or not forwarded_for or not _is_trusted(peer_address, proxies):
        return str(peer_address)
    current = peer_address
    for entry in reversed(forwarded_for.split(",")):
        hop = _parse(entry)
        if hop is None:
            break
        current = hop
        if not _is_trusted(hop, proxies):
            break
    return str(current)


def request_client_address(request: Any) -> str:
    """The client address of a Django (or DRF) request."""
    meta = request.META
    return client_address(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"))


def scope_client_address(scope: dict[str, Any]) -> str:
    """The client address of an ASGI scope (HTTP or websocket)."""
    client = scope.get("client") or (None, None)
    forwarded = ",".join(
        value.decode("latin-1")
        for name, value in scope.get("headers") or []
        if name == b"x-forwarded-for"
    )
    return client_address(client[0], forwarded or None)
