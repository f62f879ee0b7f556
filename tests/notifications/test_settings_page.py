"""/account/notifications/: the same choices as the API as a plain form, in ar/fr/en."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from community.models import Network
from notifications import preferences
from tests.notifications._mail import speaks

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/signin/" in response["Location"]


def test_the_account_page_links_to_the_settings(member: Any) -> None:
    assert URL in _client(member).get("/account/").content.decode()


def test_the_form_saves_mode_kinds_and_networks_without_script(
    member: Any, public_network: Network, private_network: Network
) -> None:
    client = _client(member)
    page = client.get(URL).content.decode()
    assert 'name="network_germany"' in page and 'name="network_medical"' in page
    assert 'name="kind_mention"' in page
    form = {
        "email": "weekly",
        "kind_reply": "on",
        "network_germany": "daily",
        "network_medical": "",
    }
    response = client.post(URL, form)
    assert response.status_code == 302
    saved = preferences.read(member)
    assert saved["email"] == "weekly"
    assert saved["kinds"]["reply"] is True and saved["kinds"]["mention"] is False
    assert saved["networks"] == {"germany": {"email": "daily"}}
    # The page shows what is stored.
    page = client.get(URL).content.decode()
    assert '<option value="weekly" selected>' in page


def test_a_bad_choice_in_the_form_is_shown_and_stores_nothing(member: Any) -> None:
    response = _client(member).post(URL, {"email": "hourly"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert preferences.read(member)["email"] == "instant"


@pytest.mark.parametrize(
    ("language", "words"),
    [("ar", "البريد"), ("fr", "courriel"), ("en", "Notification email")],
)
def test_the_page_speaks_the_members_language(
    member: Any, settings: Any, language: str, words: str
) -> None:
    client = _client(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    speaks(member, language)
    page = client.get(URL).content.decode()
    assert words in page
