"""Which pages may open /ws/: the site's own origins, compared by scheme, host and port.

A browser sends the user's cookies with a websocket upgrade whatever page opens it, and
cookies are not bound to a port: a page on `http://localhost:9999` (any local dev
server, another app on the same host) opening `ws://localhost:8000/ws/` carries the
site's session. channels' `AllowedHostsOriginValidator` compares the Origin's host
with `ALLOWED_HOSTS` and ignores the scheme and port, so it let such a page in.

An upgrade is accepted only when its one Origin equals, by scheme, host and port:
- `SITE_URL` (the public address; behind a TLS proxy its `https://` one), or an entry
  of `CSRF_TRUSTED_ORIGINS` (`https://*.example.com` covers the subdomains), or
- the socket's own origin: the Host it was opened on, with `ws` → `http` and
  `wss` → `https` (daphne sets `wss` for TLS, or from a trusted proxy's
  X-Forwarded-Proto), provided that Host is one of `ALLOWED_HOSTS` — the page was then
  served by this very server at this address (`make run` on any port, the browser
  tests' random ports). A rebound DNS name is refused by `ALLOWED_HOSTS`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]  # scheme, host (lower case, IPv6 in brackets), port


def _parts(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def parse_origin(value: str) -> Origin | None:
    """An Origin header as (scheme, host, port); None for anything but a plain origin."""
    parts = _parts(value)
    if parts is None or parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    return _origin(parts)


def _origin(parts: SplitResult) -> Origin:
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return parts.scheme, host, parts.port or DEFAULT_PORTS[parts.scheme]


def _matches(origin: Origin, pattern: str) -> bool:
    """`pattern` is a configured origin; `https://*.example.com` covers the subdomains."""
    wildcard = "://*." in pattern
    parts = _parts(pattern.replace("://*.", "://", 1) if wildcard else pattern)
    if parts is None:
        return False
    scheme, host, port = _origin(parts)
    if (origin[0], origin[2]) != (scheme, port):
        return False
    return origin[1] == host or (wildcard and origin[1].endswith("." + host))


def configured_origins() -> list[str]:
    return [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]


def own_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin of the address the socket was opened on, if it is one of ALLOWED_HOSTS."""
    hosts = [value for name, value in scope.get("headers", []) if name == b"host"]
    if len(hosts) != 1:
        return None
    try:
        host = hosts[0].decode("ascii")
    except UnicodeDecodeError:
        return None
    domain, _ = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as Django's own host check
    if not domain or not validate_host(domain, allowed):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return parse_origin(f"{scheme}://{host}")


def origin_allowed(scope: dict[str, Any]) -> bool:
    """True if the upgrade's one Origin header is one of the site's own origins."""
    values = [value for name, value in scope.get("headers", []) if name == b"origin"]
    if len(values) != 1:
        return False
    try:
        origin = parse_origin(values[0].decode("ascii"))
    except UnicodeDecodeError:
        return False
    if origin is None:
        return False
    if origin == own_origin(scope):
        return True
    return any(_matches(origin, pattern) for pattern in configured_origins())


class SiteOriginValidator:
    """ASGI middleware: refuses (HTTP 403) a websocket upgrade from any other origin."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("SiteOriginValidator guards websocket connections only")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
