"""Registration (REST and action) and API tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accounts.actions import display_name, do_register_user
from directory.models import Profile
from tests.community.helpers import assert_error, throttle_rate
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
GOOD = {"username": "amina.benali", "email": "amina@example.ma", "password": "Argan-Oil-2024"}


def test_register_then_sign_in_with_the_token(api: Callable[[Any], Any]) -> None:
    client = api(None)

    registered = client.post(REGISTER, GOOD | {"display_name": "أمينة بنعلي"}, format="json")
    token = client.post(
        TOKEN, {"username": "amina.benali", "password": GOOD["password"]}, format="json"
    )

    assert registered.status_code == 201
    user = get_user_model().objects.get(username="amina.benali")
    assert registered.json() == {"id": user.pk, "username": "amina.benali"}
    assert Profile.objects.get(user=user).display_name == "أمينة بنعلي"
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    # Signed in: an unknown network is a 404, where an anonymous caller gets a 401.
    assert client.post("/api/v1/networks/nowhere/join/", {}, format="json").status_code == 404
    again = api(None).post(
        TOKEN, {"username": "amina.benali", "password": GOOD["password"]}, format="json"
    )
    assert again.json()["token"] != token.json()["token"]  # one token per sign-in (device)


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (GOOD | {"username": "Owner"}, 409, "username_taken", "username"),
        (GOOD | {"password": "12345678"}, 400, "invalid", "password"),
        (GOOD | {"password": "amina.benali"}, 400, "invalid", "password"),
        (GOOD | {"password": "short"}, 400, "invalid", "password"),
        (GOOD | {"username": "amina benali!"}, 400, "invalid", "username"),
        (GOOD | {"username": "a" * 151}, 400, "invalid", "username"),
        (GOOD | {"email": "nope"}, 400, "invalid", "email"),
        (GOOD | {"password": ["Argan-Oil-2024"]}, 400, "invalid", "password"),
        ({"username": "amina.benali"}, 400, "invalid", "email"),
    ],
)
def test_bad_registration_is_refused_and_creates_nobody(
    api: Callable[[Any], Any], owner: Any, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    users = get_user_model().objects.count()

    response = api(None).post(REGISTER, body, format="json")

    error = assert_error(response, status, code)
    assert field in error["fields"]
    assert get_user_model().objects.count() == users


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "member", "password": "wrong password"},
        {"username": "nobody", "password": "correct horse battery staple"},
    ],
)
def test_wrong_credentials_are_a_401_with_a_challenge(
    api: Callable[[Any], Any], member: Any, credentials: dict[str, str]
) -> None:
    response = api(None).post(TOKEN, credentials, format="json")

    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_deactivated_user_gets_no_token(api: Callable[[Any], Any]) -> None:
    make_user("gone", is_active=False)

    response = api(None).post(
        TOKEN, {"username": "gone", "password": "correct horse battery staple"}, format="json"
    )

    assert_error(response, 401)


def test_a_stale_token_header_does_not_block_signing_in(
    api: Callable[[Any], Any], member: Any
) -> None:
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token expired-or-made-up")

    response = client.post(
        TOKEN, {"username": "member", "password": "correct horse battery staple"}, format="json"
    )

    assert response.status_code == 200


@pytest.fixture
def auth_rate_two_per_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pin the `auth` throttle to 2/min (tests otherwise run with throttling wide open)."""
    with throttle_rate(monkeypatch, "auth", "2/min"):
        yield


@pytest.mark.usefixtures("auth_rate_two_per_minute")
def test_sign_in_attempts_are_throttled_with_retry_after(
    api: Callable[[Any], Any], member: Any
) -> None:
    client = api(None)
    wrong = {"username": "member", "password": "guess"}

    statuses = [client.post(TOKEN, wrong, format="json").status_code for _ in range(2)]
    throttled = client.post(
        TOKEN, wrong | {"password": "correct horse battery staple"}, format="json"
    )
    registering = client.post(REGISTER, GOOD, format="json")

    assert statuses == [401, 401]
    assert_error(throttled, 429, "rate_limited")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert_error(registering, 429, "rate_limited")
    assert not get_user_model().objects.filter(username="amina.benali").exists()


def test_registered_user_gets_a_profile_with_their_display_name() -> None:
    user = do_register_user("fatima.zahra", "fz@example.org", "Tafrawt-2024!", "فاطمة الزهراء").user
    assert user is not None

    assert display_name(user) == "فاطمة الزهراء"
    assert user.check_password("Tafrawt-2024!")
    plain = make_user("no.profile.name")
    plain.profile.display_name = ""
    assert display_name(plain) == "no.profile.name"
