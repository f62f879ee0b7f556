"""Sockets after sign-out: the credential a socket was opened with ending closes it.

Signing out (a session) or revoking a token (logout, the tokens API, the account
page) closes the sockets of that session or token only; a password change or a
deactivation closes every socket of the user. Close code 4403 (docs/websocket.md).
These run on the in-memory layer here and on Redis in the real-services pass;
tests/accounts/test_live_signout.py does it across two daphne processes.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client as Browser

from chat.models import Message
from config.asgi import application
from realtime import consumer_db
from tests._ws import ORIGIN, Client, db
from tests.factories.chat import make_room
from tests.factories.users import client_for

pytestmark = pytest.mark.django_db(transaction=True)

SIGNED_OUT = 4403
PASSWORD = "correct horse battery staple"


def browser_of(user: Any) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def cookie(browser: Browser) -> tuple[bytes, bytes]:
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())


def sign_in(user: Any) -> str:
    """A fresh token of the user, through the sign-in endpoint (one per device)."""
    response = client_for(None).post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def token_header(key: str) -> tuple[bytes, bytes]:
    return (b"authorization", f"Token {key}".encode())


async def close_code(client: Client, wait: float = 2) -> int | None:
    """The code the server closed the socket with, or None if it stays open."""
    while True:
        try:
            output = await client.ws.receive_output(timeout=wait)
        except TimeoutError:
            return None
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))


async def still_open(client: Client) -> bool:
    await client.send(type="ping")
    return (await client.expect("pong"))["type"] == "pong"


async def test_signing_out_closes_that_sessions_socket_and_no_other(
    connect: Any, member: Any
) -> None:
    here, there = await db(browser_of)(member), await db(browser_of)(member)
    closing = await connect(None, headers=[ORIGIN, cookie(here)])
    staying = await connect(None, headers=[ORIGIN, cookie(there)])

    signed_out = await db(here.post)("/signout/")

    assert signed_out.status_code == 302
    assert await close_code(closing) == SIGNED_OUT
    assert await still_open(staying)


async def test_logging_out_a_token_closes_its_sockets_and_no_other(
    connect: Any, member: Any
) -> None:
    phone, laptop = await db(sign_in)(member), await db(sign_in)(member)
    closing = await connect(None, headers=[ORIGIN, token_header(phone)])
    staying = await connect(None, headers=[ORIGIN, token_header(laptop)])
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {phone}")

    logged_out = await db(api.post)("/api/v1/auth/logout/")

    assert logged_out.status_code == 204
    assert await close_code(closing) == SIGNED_OUT
    assert await still_open(staying)
    await connect(None, headers=[ORIGIN, token_header(phone)], expect_accept=False)


async def test_revoking_a_token_through_the_api_closes_its_socket(
    connect: Any, member: Any
) -> None:
    phone, laptop = await db(sign_in)(member), await db(sign_in)(member)
    closing = await connect(None, headers=[ORIGIN, token_header(phone)])
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {laptop}")
    listed = (await db(api.get)("/api/v1/auth/tokens/")).json()["results"]
    (phone_id,) = [t["id"] for t in listed if not t["current"]]

    revoked = await db(api.delete)(f"/api/v1/auth/tokens/{phone_id}/")

    assert revoked.status_code == 204
    assert await close_code(closing) == SIGNED_OUT


async def test_changing_the_password_closes_every_socket_of_the_user(
    connect: Any, member: Any, outsider: Any
) -> None:
    browser = await db(browser_of)(member)
    by_cookie = await connect(None, headers=[ORIGIN, cookie(browser)])
    by_token = await connect(None, headers=[ORIGIN, token_header(await db(sign_in)(member))])
    someone_else = await connect(outsider)

    def change_password() -> None:
        user = get_user_model().objects.get(pk=member.pk)
        user.set_password("a brand new passphrase")
        user.save()

    await db(change_password)()

    assert await close_code(by_cookie) == SIGNED_OUT
    assert await close_code(by_token) == SIGNED_OUT
    assert await still_open(someone_else)


async def test_deactivating_the_account_closes_every_socket_of_the_user(
    connect: Any, member: Any
) -> None:
    browser = await db(browser_of)(member)
    by_cookie = await connect(None, headers=[ORIGIN, cookie(browser)])
    by_token = await connect(None, headers=[ORIGIN, token_header(await db(sign_in)(member))])

    def deactivate() -> None:  # as the admin's change form does
        user = get_user_model().objects.get(pk=member.pk)
        user.is_active = False
        user.save()

    await db(deactivate)()

    assert await close_code(by_cookie) == SIGNED_OUT
    assert await close_code(by_token) == SIGNED_OUT


async def test_frames_a_signed_out_socket_sends_before_it_closes_are_not_acted_on(
    connect: Any, member: Any, public_network: Any
) -> None:
    """A client may ignore the close frame and keep sending until the close handshake times
    out: nothing it sends after the sign-out is written."""
    room = await db(make_room)(public_network)
    browser = await db(browser_of)(member)
    client = await connect(None, headers=[ORIGIN, cookie(browser)])
    await client.subscribe(room)

    await db(browser.post)("/signout/")
    assert await close_code(client) == SIGNED_OUT
    await client.send(type="message.send", room=room.pk, body="still here?", client_id="late")

    assert await client.ws.receive_nothing(timeout=0.5)
    assert not await db(Message.objects.filter(client_id="late").exists)()


async def test_a_sign_out_while_the_socket_is_still_connecting_closes_it(
    connect: Any, member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The credential is read before the socket joins the user's group: a sign-out in
    between would find no socket to close, so the socket checks once more after joining."""
    key = await db(sign_in)(member)
    load_state = consumer_db.connect_state

    def revoked_meanwhile(user: Any) -> Any:
        api = client_for(None)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.post("/api/v1/auth/logout/").status_code == 204
        return load_state(user)

    monkeypatch.setattr(consumer_db, "connect_state", revoked_meanwhile)
    await connect(None, expect_accept=False)  # the fixture cleans the layer up afterwards
    socket = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, token_header(key)])
    try:
        connected, _ = await socket.connect(timeout=3)
        output = await socket.receive_output(timeout=3)
    finally:
        await socket.disconnect()

    assert connected  # accepted before the socket's state is read
    assert (output["type"], output.get("code")) == ("websocket.close", SIGNED_OUT)
