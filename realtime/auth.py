"""Websocket authentication: `Authorization: Token <key>` header, else the session cookie.

One step, not channels' AuthMiddlewareStack (CookieMiddleware → SessionMiddleware →
AuthMiddleware): each of those layers keeps its own copy of the scope, and the session
store stays referenced from it for as long as the socket lives. Idle sockets are
counted by the thousand (bench/chat_idle_memory.py), and nothing behind this step
reads scope["session"] or scope["cookies"]: the consumer wants the user, once, at
connect. So the user is resolved here and the app gets `dict(scope, user=user)` only;
the parsed cookies and the session are dropped before the socket goes idle.

The cookie is resolved exactly as a page request's would be, by channels' own
`get_user` on a throwaway {"session": …}: the session's backend must still be
configured, the backend must still return the user (ModelBackend refuses an inactive
one), and the session's auth hash must match the user's current one (a password change
signs every other session out; a mismatched session is flushed, as Django does). A
websocket never writes the session back, so nothing is lost by not keeping it: channels'
session middleware only saves on an HTTP response.

A present but invalid token yields an anonymous user (and so a refused socket) rather
than silently falling back to the cookie.

Besides the user, the scope carries `credential`: which token (`t<id>`) or session
(`s<hash of the key>`) opened the socket, a short string. When that credential ends
(sign-out, revocation, password change, deactivation) accounts.signout tells the
user's sockets, and the consumer closes those opened with it (docs/websocket.md, 4403).
`still_signed_in` reads the headers again once the socket listens for that, so an end
that came in between is not missed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import parse_cookie

Signed = tuple[Any, str | None]  # (user, credential); AnonymousUser has no credential
NOBODY: Signed = (AnonymousUser(), None)


@database_sync_to_async
def _user_for_token(key: str) -> Signed:
    from accounts.auth import authenticate_key
    from accounts.signout import token_credential

    found = authenticate_key(key)  # refuses an expired token, an inactive user; slides expiry
    if found is None:
        return NOBODY
    user, token = found
    return user, token_credential(token.pk)


async def _user_for_cookies(cookie_header: str) -> Signed:
    """The user of the session named in the Cookie header, else AnonymousUser."""
    from accounts.signout import session_credential

    session_key = parse_cookie(cookie_header).get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return NOBODY
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = await get_user({"session": session})  # loads the session in the database thread
    if not user.is_authenticated:
        return NOBODY
    return user, session_credential(session_key)


async def socket_user(headers: list[tuple[bytes, bytes]]) -> Signed:
    """Who opens the socket, and with what: the token's user if an Authorization header is
    present, else the session cookie's (cookie headers joined as Django joins them)."""
    auth = next((v for k, v in headers if k == b"authorization"), b"")
    if auth:
        keyword, _, key = auth.decode("latin-1").partition(" ")
        if keyword.lower() == "token" and key.strip():
            return await _user_for_token(key.strip())
        return NOBODY
    cookies = "; ".join(v.decode("latin-1").rstrip("; ") for k, v in headers if k == b"cookie")
    return await _user_for_cookies(cookies)


async def still_signed_in(scope: dict[str, Any]) -> bool:
    """Whether the credential that opened the socket still signs the same user in."""
    user, credential = await socket_user(scope.get("headers") or [])
    return (
        credential is not None
        and credential == scope.get("credential")
        and (user.pk == scope["user"].pk)
    )


class WebsocketAuthMiddleware:
    """Sets scope["user"] and scope["credential"] from the token or the session cookie;
    keeps nothing else."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user, credential = await socket_user(scope.get("headers") or [])
        return await self.app(dict(scope, user=user, credential=credential), receive, send)
