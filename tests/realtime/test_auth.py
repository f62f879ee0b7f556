"""/ws/ authentication: a token header or the session cookie; origin checked."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from config.asgi import application
from tests.factories.users import make_user
from tests.factories.users import token_for as new_token

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")
UNAUTHENTICATED = 4401


@sync_to_async
def token_for(username: str) -> str:
    return new_token(make_user(username))


@sync_to_async
def session_cookie_for(username: str) -> str:
    client = Client()
    client.force_login(make_user(username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def ping(headers: list[tuple[bytes, bytes]]) -> tuple[bool, Any]:
    """Connect, and if accepted, prove the socket works with a ping; always disconnect."""
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    try:
        connected, close_code = await communicator.connect(timeout=3)
        if not connected:
            return False, close_code
        await communicator.send_json_to({"type": "ping"})
        return True, await communicator.receive_json_from(timeout=3)
    finally:
        await communicator.disconnect()
        # The worker thread of sync_to_async keeps its own connection (CONN_MAX_AGE):
        # close it, or PostgreSQL refuses to drop the test database at the end.
        await sync_to_async(connections.close_all)()


async def test_a_token_header_opens_the_socket() -> None:
    key = await token_for("amina")

    connected, reply = await ping([ORIGIN, (b"authorization", f"Token {key}".encode())])

    assert connected and reply == {"type": "pong"}


async def test_a_session_cookie_opens_the_socket() -> None:
    cookie = await session_cookie_for("youssef")

    connected, reply = await ping([ORIGIN, (b"cookie", cookie.encode())])

    assert connected and reply == {"type": "pong"}


async def test_no_credentials_are_closed_with_4401() -> None:
    connected, close_code = await ping([ORIGIN])

    assert (connected, close_code) == (False, UNAUTHENTICATED)


@pytest.mark.parametrize("header", [b"Token not-a-real-key", b"Bearer something", b"Token "])
async def test_a_bad_authorization_header_is_refused_even_with_a_session(header: bytes) -> None:
    cookie = await session_cookie_for("hicham")

    connected, close_code = await ping(
        [ORIGIN, (b"cookie", cookie.encode()), (b"authorization", header)]
    )

    assert (connected, close_code) == (False, UNAUTHENTICATED)


async def test_a_foreign_origin_is_refused_even_with_credentials() -> None:
    cookie = await session_cookie_for("karima")

    connected, _ = await ping([(b"origin", b"https://evil.example"), (b"cookie", cookie.encode())])

    assert connected is False


@sync_to_async
def deactivate(username: str) -> None:
    get_user_model().objects.filter(username=username).update(is_active=False)


async def test_a_deactivated_users_token_is_refused() -> None:
    key = await token_for("gone")
    await deactivate("gone")

    connected, close_code = await ping([ORIGIN, (b"authorization", f"Token {key}".encode())])

    assert (connected, close_code) == (False, UNAUTHENTICATED)


async def test_a_deactivated_users_session_cookie_is_refused() -> None:
    cookie = await session_cookie_for("left")
    await deactivate("left")

    connected, close_code = await ping([ORIGIN, (b"cookie", cookie.encode())])

    assert (connected, close_code) == (False, UNAUTHENTICATED)


@pytest.mark.parametrize(
    ("around", "opens"),
    [
        ("csrftoken=abc; {session}; theme=dark", True),  # a browser's usual header
        ('junk; =; ;;{session}; "unterminated; a=b=c', True),  # malformed pieces around it
        ("{session}; {name}=not-a-session-key", False),  # the last duplicate wins, as in Django
    ],
)
async def test_the_session_is_found_among_other_and_malformed_cookies(
    around: str, opens: bool
) -> None:
    cookie = await session_cookie_for("nadia")
    header = around.format(session=cookie, name=settings.SESSION_COOKIE_NAME)

    connected, _ = await ping([ORIGIN, (b"cookie", header.encode())])

    assert connected is opens


async def test_cookies_split_over_several_headers_are_joined_as_django_does() -> None:
    cookie = await session_cookie_for("omar")

    connected, reply = await ping(
        [ORIGIN, (b"cookie", b"csrftoken=abc;"), (b"cookie", cookie.encode())]
    )

    assert connected and reply == {"type": "pong"}


async def test_a_session_key_under_another_cookie_name_is_refused() -> None:
    cookie = await session_cookie_for("rachid")
    key = cookie.partition("=")[2]

    connected, close_code = await ping([ORIGIN, (b"cookie", f"other={key}".encode())])

    assert (connected, close_code) == (False, UNAUTHENTICATED)


async def test_the_app_gets_the_user_and_no_session_or_cookies() -> None:
    """Nothing but the user and which credential opened the socket (a short string) is kept
    per socket: no session store, no parsed cookies, not the session key."""
    from realtime.auth import WebsocketAuthMiddleware

    cookie = await session_cookie_for("salma")
    seen: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": "websocket", "path": "/ws/", "headers": [(b"cookie", cookie.encode())]}
    await WebsocketAuthMiddleware(app)(scope, None, None)
    await sync_to_async(connections.close_all)()

    assert seen[0]["user"].username == "salma"
    assert set(seen[0]) == {"type", "path", "headers", "user", "credential"}
    credential = seen[0]["credential"]
    assert isinstance(credential, str) and len(credential) < 40
    assert cookie.partition("=")[2] not in credential
    assert "user" not in scope  # the caller's scope is not changed
