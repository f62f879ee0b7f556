"""Authentication and origin at the edges: who may open /ws/ and who may write with a cookie.

A websocket upgrade is a cross-site request a browser makes with the user's cookies:
without an Origin check any page could chat as the user (cross-site websocket
hijacking). So the upgrade is refused for a foreign or missing Origin, for no
credentials, and for a revoked token or an expired session. Likewise a cookie-carrying
POST without the CSRF token is refused, on the API as on the web pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import AuthToken
from community.models import Membership
from config.asgi import application
from tests.factories.users import token_for

SAME_SITE = settings.SITE_URL.encode()  # under tests, the test client's http://testserver
FOREIGN = b"https://evil.example"


async def upgrade(headers: list[tuple[bytes, bytes]], scheme: str = "ws") -> tuple[bool, Any]:
    """Try to open /ws/; (accepted, close code or None). Accepted sockets answer a ping.

    `scheme` is the socket's own (daphne sets `wss` for TLS or a trusted proxy's
    X-Forwarded-Proto); the Host header, when given, is the address it was opened on.
    """
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    communicator.scope["scheme"] = scheme
    connected, code = await communicator.connect(timeout=5)
    if connected:
        await communicator.send_json_to({"type": "ping"})
        reply = await communicator.receive_json_from(timeout=5)
        assert reply == {"type": "pong"}
    await communicator.disconnect()
    return connected, code


def token_header(key: str) -> tuple[bytes, bytes]:
    return (b"authorization", f"Token {key}".encode())


def session_cookie(user: Any, *, expired: bool = False) -> tuple[bytes, bytes]:
    """A real database session for the user, as a browser would present it."""
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    if expired:
        type(session).get_model_class().objects.filter(session_key=session.session_key).update(
            expire_date=timezone.now() - dt.timedelta(minutes=1)
        )
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())


# The site as a deployment configures it: its public address and one more trusted origin.
DEPLOYED = override_settings(
    SITE_URL="http://127.0.0.1:8000",
    CSRF_TRUSTED_ORIGINS=["https://shabaka.example", "https://*.ma.example"],
)


@pytest.mark.django_db(transaction=True)
async def test_the_sites_origin_with_a_token_or_a_session_cookie_is_let_in(member: Any) -> None:
    """The control for the refusals below: the same upgrade with good credentials works."""
    key = await sync_to_async(token_for)(member)
    cookie = await sync_to_async(session_cookie)(member)
    assert (await upgrade([(b"origin", SAME_SITE), token_header(key)]))[0]
    assert (await upgrade([(b"origin", SAME_SITE), cookie]))[0]
    with DEPLOYED:
        assert (await upgrade([(b"origin", b"http://127.0.0.1:8000"), cookie]))[0]
        assert (await upgrade([(b"origin", b"https://shabaka.example"), cookie]))[0]
        assert (await upgrade([(b"origin", b"https://rabat.ma.example:443"), cookie]))[0]
        # A page served by this very server at whatever address and port it is reached
        # on: its Origin is the Host the socket was opened on (the browser tests' ports).
        host = (b"host", b"localhost:41234")
        assert (await upgrade([host, (b"origin", b"http://localhost:41234"), cookie]))[0]
        tls = (b"host", b"localhost:8443")
        assert (await upgrade([tls, (b"origin", b"https://localhost:8443"), cookie], "wss"))[0]


@pytest.mark.django_db(transaction=True)
async def test_an_origin_on_another_port_or_scheme_of_the_site_is_refused(member: Any) -> None:
    """A page on another port of the same host (a local dev server, another app) gets the
    site's cookies, which are not bound to a port: only the site's own origins, by
    scheme, host and port, may open a socket with them (`http://localhost:9999` was let
    in: channels' AllowedHostsOriginValidator compared the host alone)."""
    cookie = await sync_to_async(session_cookie)(member)
    site_host = (b"host", b"127.0.0.1:8000")
    cases: dict[str, tuple[list[tuple[bytes, bytes]], str]] = {
        "localhost, another port": ([(b"origin", b"http://localhost:9999")], "ws"),
        "the site's host, another port": ([(b"origin", b"http://127.0.0.1:9999")], "ws"),
        "another port, socket on the site's Host": (
            [site_host, (b"origin", b"http://127.0.0.1:9999")],
            "ws",
        ),
        "the site's host, default port": ([(b"origin", b"http://127.0.0.1")], "ws"),
        "the site's host and port, https": ([(b"origin", b"https://127.0.0.1:8000")], "ws"),
        "a trusted origin, another port": ([(b"origin", b"https://shabaka.example:8443")], "ws"),
        "a trusted origin, http": ([(b"origin", b"http://shabaka.example")], "ws"),
        "a trusted wildcard, another port": ([(b"origin", b"https://a.ma.example:8443")], "ws"),
        "a plain http page, socket over TLS": (
            [(b"host", b"localhost:8443"), (b"origin", b"http://localhost:8443")],
            "wss",
        ),
        "a Host not among ALLOWED_HOSTS (DNS rebinding)": (
            [
                (b"host", b"rebind.evil.example:8000"),
                (b"origin", b"http://rebind.evil.example:8000"),
            ],
            "ws",
        ),
        "port out of range": ([(b"origin", b"http://127.0.0.1:99999")], "ws"),
        "port not a number": ([(b"origin", b"http://127.0.0.1:80a")], "ws"),
        "origin with a path": ([(b"origin", b"http://127.0.0.1:8000/x")], "ws"),
        "two origins": ([(b"origin", b"http://127.0.0.1:8000"), (b"origin", FOREIGN)], "ws"),
        "undecodable origin": ([(b"origin", b"http://\xff\xfe")], "ws"),
    }
    let_in = []
    with DEPLOYED:
        for name, (headers, scheme) in cases.items():
            if (await upgrade([*headers, cookie], scheme))[0]:
                let_in.append(name)
    assert let_in == []


@pytest.mark.django_db(transaction=True)
async def test_upgrades_without_a_valid_origin_and_credentials_are_refused(member: Any) -> None:
    """One database setup, every refusal: each case is an upgrade that must not open."""
    key = await sync_to_async(token_for)(member)
    cookie = await sync_to_async(session_cookie)(member)
    expired = await sync_to_async(session_cookie)(member, expired=True)
    origin = (b"origin", SAME_SITE)
    cases: dict[str, list[tuple[bytes, bytes]]] = {
        "foreign origin, valid token": [(b"origin", FOREIGN), token_header(key)],
        "foreign origin, valid session": [(b"origin", FOREIGN), cookie],
        "opaque origin (sandboxed frame)": [(b"origin", b"null"), cookie],
        "look-alike origin": [(b"origin", b"http://127.0.0.1.evil.example"), cookie],
        "no origin, valid token": [token_header(key)],
        "no credentials": [origin],
        "expired session": [origin, expired],
        "unknown token, even with a valid cookie": [origin, token_header("0" * 40), cookie],
        "token keyword without a key": [origin, (b"authorization", b"Token"), cookie],
        "another scheme": [origin, (b"authorization", b"Bearer abc"), cookie],
        "undecodable token": [origin, (b"authorization", b"Token \xff\xfe"), cookie],
        "4 KiB of junk": [origin, (b"authorization", b"x" * 4096), cookie],
        "a NUL in the token": [origin, (b"authorization", b"Token ab\x00cd")],
        "a NUL in the session cookie": [origin, (b"cookie", b"sessionid=ab\x00cd")],
    }
    let_in = []
    for name, headers in cases.items():
        connected, code = await upgrade(headers)  # a refused handshake is an HTTP 403
        if connected:
            let_in.append((name, code))

    await AuthToken.objects.filter(user=member).adelete()  # revoked
    if (await upgrade([origin, token_header(key)]))[0]:
        let_in.append(("revoked token", None))
    key = await sync_to_async(token_for)(member)
    member.is_active = False
    await member.asave(update_fields=["is_active"])
    if (await upgrade([origin, token_header(key)]))[0]:
        let_in.append(("token of a deactivated user", None))
    member.is_active = True
    member.set_password("a brand new passphrase")
    await member.asave(update_fields=["is_active", "password"])
    if (await upgrade([origin, cookie]))[0]:
        let_in.append(("session from before a password change", None))
    assert let_in == []


# --- CSRF: a cross-site form post carries the cookie but never the token -------------------


def signed_in_browser(user: Any) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


@pytest.mark.django_db
def test_cross_site_api_post_with_a_session_cookie_and_no_csrf_token_is_refused(
    outsider: Any, public_network: Any
) -> None:
    browser = signed_in_browser(outsider)
    response = browser.post(
        "/api/v1/networks/germany/join/",
        data="{}",
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
        HTTP_REFERER="https://evil.example/page",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] in {"permission_denied", "csrf_failed"}
    assert not Membership.objects.filter(user=outsider, network=public_network).exists()


@pytest.mark.django_db
def test_same_site_api_post_with_the_csrf_token_is_accepted(
    outsider: Any, public_network: Any
) -> None:
    """The control: the refusal above is CSRF, not something else."""
    browser = signed_in_browser(outsider)
    token = "k" * 32  # what the csrftoken cookie holds; the page's JS echoes it in a header
    browser.cookies[settings.CSRF_COOKIE_NAME] = token
    response = browser.post(
        "/api/v1/networks/germany/join/",
        data="{}",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code in (200, 201), response.content
    assert Membership.objects.filter(user=outsider, network=public_network).exists()


@pytest.mark.django_db
def test_cross_site_form_post_to_a_web_page_is_refused(outsider: Any, public_network: Any) -> None:
    browser = signed_in_browser(outsider)
    response = browser.post("/networks/germany/join/", {}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert b"Traceback" not in response.content
    assert not Membership.objects.filter(user=outsider, network=public_network).exists()


@pytest.mark.django_db
def test_cross_site_post_cannot_sign_in_a_victim(member: Any) -> None:
    """Login CSRF: a foreign page posting credentials into the victim's browser."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/signin/",
        {"username": "member", "password": "correct horse battery staple"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in response.cookies
