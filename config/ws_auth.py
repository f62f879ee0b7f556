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
    """Sets scope["user"] from a Token header; otherwise leaves the session's user in place.

    A present but invalid token yields an anonymous user (and so a refused socket)
    rather than silently falling back to the cookie.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth:
            keyword, _, key = auth.partition(" ")
            if keyword.lower() == "token" and key.strip():
                scope = dict(scope, user=await _user_for_token(key.strip()))
            else:
                scope = dict(scope, user=AnonymousUser())
        return await self.app(scope, receive, send)


def ShabakaAuthMiddlewareStack(app: Any) -> Any:
    return AuthMiddlewareStack(TokenAuthMiddleware(app))
