"""Changing one's password (issue 17, account settings): the current one confirms it is
the owner; every API token and socket ends, every other session too, and the session
that made the change stays signed in. Bad input is a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import tokens
from tests.community.helpers import assert_error
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # make_user's
NEW = "another long passphrase 77"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def password_is(user: Any, password: str) -> bool:
    user.refresh_from_db()
    return bool(user.check_password(password))


def test_the_api_changes_it_ends_other_sessions_and_tokens_and_keeps_this_one() -> None:
    user = make_user("leila")
    here, elsewhere = signed_in(user), signed_in(user)
    _token, key = tokens.do_issue_token(user, "phone")
    response = here.post(
        "/api/v1/auth/password/",
        {"current_password": PASSWORD, "new_password": NEW},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert here.get("/api/v1/auth/me/").status_code == 200  # this session stays
    assert elsewhere.get("/api/v1/auth/me/").status_code in (401, 403)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert phone.get("/api/v1/auth/me/").status_code in (401, 403)
    assert password_is(user, NEW) and not password_is(user, PASSWORD)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "not it", "new_password": NEW}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "123"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"new_password": NEW}, "current_password"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    body: dict[str, str], field: str
) -> None:
    user = make_user("leila")
    client = signed_in(user)
    response = client.post("/api/v1/auth/password/", body, content_type="application/json")
    error = assert_error(response, 400)
    assert field in error["fields"], error
    assert password_is(user, PASSWORD)


def test_signed_out_it_is_refused() -> None:
    response = APIClient().post(
        "/api/v1/auth/password/", {"current_password": PASSWORD, "new_password": NEW}
    )
    assert response.status_code in (401, 403)


def test_the_account_page_changes_it_in_french_and_keeps_this_session() -> None:
    user = make_user("leila")
    here, elsewhere = signed_in(user), signed_in(user)
    here.cookies.load({"django_language": "fr"})
    refused = here.post("/account/password/", {"current_password": "not it", "new_password": NEW})
    assert refused.status_code == 400
    assert 'name="current_password"' in refused.content.decode()
    response = here.post("/account/password/", {"current_password": PASSWORD, "new_password": NEW})
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = here.get("/account/").content.decode()
    assert "Votre mot de passe est changé" in page
    assert elsewhere.get("/account/").status_code == 302  # to sign in
