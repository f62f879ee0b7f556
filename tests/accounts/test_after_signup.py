"""After sign-up a person lands on their profile's editor with a prompt to complete it,
what the directory shows explained with its audiences (issue 17); where they were going
(an invitation, a network) still comes first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SIGN_UP = {"username": "leila", "email": "leila@example.org", "password": "a long passphrase 42"}


def test_a_new_account_lands_on_its_profile_with_the_prompt_in_arabic() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    response = client.post("/signup/", SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == "/profile/edit/?welcome=1"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="welcome"' in page
    assert "أكمل ملفك الشخصي" in page  # "Complete your profile"
    assert 'href="/networks/"' in page  # skipping is one link away


def test_where_they_were_going_comes_first() -> None:
    response = Client().post("/signup/?next=/networks/germany/", SIGN_UP)
    assert response["Location"] == "/networks/germany/"


def test_saving_the_welcome_profile_goes_on_to_the_networks(member: Any) -> None:
    client = Client()
    client.force_login(member)
    assert 'data-testid="welcome"' not in client.get("/profile/edit/").content.decode()
    form = client.get("/profile/edit/?welcome=1").context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (list, bool))
    }
    data["headline"] = "Cardiologue à Montréal"
    response = client.post("/profile/edit/?welcome=1", data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/networks/"
    member.profile.refresh_from_db()
    assert member.profile.headline == "Cardiologue à Montréal"
