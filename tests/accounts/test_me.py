"""GET /api/v1/auth/me/: who the request is signed in as."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.actions import do_set_ui_language
from tests.community.helpers import assert_error
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"


def test_me_tells_the_signed_in_user_who_they_are(api: Callable[[Any], Any]) -> None:
    user = make_user("amina", email="Amina@example.ma")
    do_set_ui_language(user, "ar")

    response = api(user).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": "amina",
        "email": "Amina@example.ma",
        "email_verified": True,
        "ui_language": "ar",
        "timezone": "",
        "is_staff": False,
    }


def test_me_says_an_unverified_address_is_unverified_and_staff_is_staff(
    api: Callable[[Any], Any],
) -> None:
    user = make_user("fresh", email_verified=False, staff=True)

    body = api(user).get(ME).json()

    assert (body["email_verified"], body["is_staff"], body["ui_language"]) == (False, True, "")


def test_me_is_a_401_for_anonymous_callers(api: Callable[[Any], Any]) -> None:
    assert_error(api(None).get(ME), 401)


def test_me_answers_a_browser_session_too(client: Any) -> None:
    user = make_user("browser")
    client.force_login(user)

    assert client.get(ME).json()["username"] == "browser"


def test_me_is_in_the_api_schema(client: Any) -> None:
    schema = client.get("/api/schema/").content.decode()

    for path in (
        "/auth/me/",
        "/auth/password-reset/",
        "/auth/password-reset/confirm/",
        "/auth/verify-email/",
    ):
        assert path in schema
