"""The interface language and the time zone (issue 17, account settings; the meetings
issue says times in their zone): PATCH /api/v1/auth/me/ and the account page; an
unknown one is a 400 naming its field and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.community.helpers import assert_error
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"


def test_the_api_sets_language_and_time_zone_and_says_them_back(
    api: Callable[[Any], Any],
) -> None:
    user = make_user()
    response = api(user).patch(
        ME, {"ui_language": "fr", "timezone": "America/Montreal"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["ui_language"], response.json()["timezone"]) == (
        "fr",
        "America/Montreal",
    )
    # One of them: the other stays.
    response = api(user).patch(ME, {"timezone": "Africa/Casablanca"}, format="json")
    assert (response.json()["ui_language"], response.json()["timezone"]) == (
        "fr",
        "Africa/Casablanca",
    )
    assert api(user).get(ME).json()["timezone"] == "Africa/Casablanca"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"ui_language": "zgh"}, "ui_language"),
        ({"ui_language": "fr", "timezone": "Nowhere"}, "timezone"),
    ],
)
def test_an_unknown_one_is_a_400_naming_it_and_nothing_changes(
    api: Callable[[Any], Any], body: dict[str, str], field: str
) -> None:
    user = make_user()
    error = assert_error(api(user).patch(ME, body, format="json"), 400)
    assert field in error["fields"], error
    after = api(user).get(ME).json()
    assert (after["ui_language"], after["timezone"]) == ("", "")


def test_the_account_page_saves_them_and_the_page_follows_the_language() -> None:
    user = make_user()
    client = Client()
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert "data-browser-timezone" in page and 'value="Europe/Berlin"' in page
    response = client.post(
        "/account/preferences/", {"ui_language": "ar", "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"
    page = client.get("/account/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert '<option value="Europe/Berlin" selected>' in page
    refused = client.post("/account/preferences/", {"ui_language": "ar", "timezone": "Nowhere"})
    assert refused.status_code == 400
    user.profile.refresh_from_db()
    assert user.profile.timezone == "Europe/Berlin"
