"""Websocket authentication: `Authorization: Token <key>` header, else the session cookie."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


class TokenAuthMiddleware:
    """A socket with an `Authorization` header is authenticated by its token alone;
    one without goes through channels' cookie → session → user stack (the browser).

    A present but invalid token yields an anonymous user (and so a refused socket)
    rather than silently falling back to the cookie. A token socket never loads a
    session: each middleware layer keeps its own copy of the scope (and the session
    store) for as long as the socket lives, and idle sockets are counted by the
    thousand.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.session_stack = AuthMiddlewareStack(app)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        auth = next((v for k, v in scope.get("headers") or [] if k == b"authorization"), b"")
        if not auth:
            return await self.session_stack(scope, receive, send)
        keyword, _, key = auth.decode("latin-1").partition(" ")
        if keyword.lower() == "token" and key.strip():
            user = await _user_for_token(key.strip())
        else:
            user = AnonymousUser()
        return await self.app(dict(scope, user=user), receive, send)


def ShabakaAuthMiddlewareStack(app: Any) -> Any:
    return TokenAuthMiddleware(app)
