"""Sign-out reaches sockets on every process: two daphne workers on one Redis.

A socket is held on one worker; the sign-out, the logout or the password change
happens through the other worker (or this process), as behind a load balancer.
The socket closes with 4403 all the same.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import urllib.error
import urllib.request
from typing import Any

import pytest
import websockets
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests._live import daphne_workers  # noqa: F401 - fixture
from tests._process import DaphneWorker
from tests.factories.users import make_user

pytestmark = pytest.mark.services

SIGNED_OUT = 4403
PASSWORD = "correct horse battery staple"


def connect(worker: DaphneWorker, **headers: str) -> Any:
    return websockets.connect(
        worker.ws_url,
        additional_headers=headers,
        origin=worker.url,  # type: ignore[arg-type]
    )


async def close_code(ws: Any, wait: float = 10) -> int | None:
    """The code the server closes with (frames before it are skipped), None if it stays open."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), wait)
    except TimeoutError:
        return None
    except websockets.exceptions.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006


async def pong(ws: Any) -> bool:
    await ws.send(json.dumps({"type": "ping"}))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "pong":
            return True


def sign_out_in_the_browser(worker: DaphneWorker, session: str) -> int:
    """POST /signout/ as the browser would: session cookie, CSRF cookie and header."""
    csrf = secrets.token_hex(16)
    request = urllib.request.Request(  # noqa: S310 - loopback only
        worker.url + "/signout/", data=b"", method="POST"
    )
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}")
    request.add_header("X-CSRFToken", csrf)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in(worker: DaphneWorker, user: Any) -> str:
    status, body = worker.request(
        "POST", "/api/v1/auth/token/", body={"username": user.username, "password": PASSWORD}
    )
    assert status == 200, body
    return str(json.loads(body)["token"])


def test_signing_out_on_one_worker_closes_the_sessions_socket_on_the_other(
    daphne_workers: Any,  # noqa: F811 - the fixture imported above
) -> None:
    member = make_user()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(member)
    here, there = (b.cookies[settings.SESSION_COOKIE_NAME].value for b in browsers)
    front, back = daphne_workers(), daphne_workers()
    cookie = settings.SESSION_COOKIE_NAME

    async def scenario() -> tuple[int, int | None, bool]:
        async with (
            connect(back, Cookie=f"{cookie}={here}") as closing,
            connect(back, Cookie=f"{cookie}={there}") as staying,
        ):
            assert await pong(closing) and await pong(staying)
            status = await asyncio.to_thread(sign_out_in_the_browser, front, here)
            return status, await close_code(closing), await pong(staying)

    status, code, other_session_open = asyncio.run(scenario())

    assert status == 302
    assert code == SIGNED_OUT
    assert other_session_open
    for worker in (front, back):
        assert "Traceback" not in worker.log(), worker.log()[-3000:]


def test_logging_out_a_token_on_one_worker_closes_its_socket_on_the_other(
    daphne_workers: Any,  # noqa: F811
) -> None:
    member = make_user()
    front, back = daphne_workers(), daphne_workers()
    phone, laptop = sign_in(front, member), sign_in(back, member)

    async def scenario() -> tuple[int, int | None, bool]:
        async with (
            connect(back, Authorization=f"Token {phone}") as closing,
            connect(front, Authorization=f"Token {laptop}") as staying,
        ):
            assert await pong(closing)
            status, _ = await asyncio.to_thread(
                front.request, "POST", "/api/v1/auth/logout/", phone
            )
            return status, await close_code(closing), await pong(staying)

    status, code, other_token_open = asyncio.run(scenario())

    assert status == 204
    assert code == SIGNED_OUT
    assert other_token_open


def test_a_password_change_closes_the_users_sockets_on_every_worker(
    daphne_workers: Any,  # noqa: F811
) -> None:
    member = make_user()
    workers = [daphne_workers(), daphne_workers()]
    keys = [sign_in(worker, member) for worker in workers]

    def change_password() -> None:  # in this process, as the admin's password form would
        user = get_user_model().objects.get(pk=member.pk)
        user.set_password("a brand new passphrase")
        user.save()

    async def scenario() -> list[int | None]:
        async with (
            connect(workers[0], Authorization=f"Token {keys[0]}") as one,
            connect(workers[1], Authorization=f"Token {keys[1]}") as other,
        ):
            assert await pong(one) and await pong(other)
            await asyncio.to_thread(change_password)
            return [await close_code(one), await close_code(other)]

    assert asyncio.run(scenario()) == [SIGNED_OUT, SIGNED_OUT]
