"""API tokens: one per sign-in (device), hashed at rest, expiring when unused, revocable.

`POST /api/v1/auth/token/` issues a new token each time, named after the device;
`POST /api/v1/auth/logout/` revokes the token used (or ends the session);
`GET /api/v1/auth/tokens/` lists your tokens and `DELETE /api/v1/auth/tokens/{id}/`
revokes one. A token unused for 30 days stops working; using it moves that date on,
with at most one write an hour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import AuthToken
from tests.factories.users import client_for, make_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
TOKENS = "/api/v1/auth/tokens/"
PASSWORD = "correct horse battery staple"
ME = "/api/v1/profile/"  # any endpoint that needs a signed-in caller


def sign_in(user: Any, agent: str = "Shabaka-Android/2.1 (Pixel 8)", **extra: Any) -> Any:
    return client_for(None).post(
        TOKEN,
        {"username": user.username, "password": PASSWORD, **extra},
        format="json",
        HTTP_USER_AGENT=agent,
    )


def with_token(key: str) -> Any:
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_each_sign_in_issues_its_own_token_and_both_work(member: Any) -> None:
    phone, laptop = sign_in(member), sign_in(member, agent="Mozilla/5.0 (X11; Linux)")

    assert phone.status_code == laptop.status_code == 200
    assert phone.json()["token"] != laptop.json()["token"]
    for response in (phone, laptop):
        assert with_token(response.json()["token"]).get(ME).status_code == 200
        expiry = dt.datetime.fromisoformat(response.json()["expiry"])
        assert dt.timedelta(days=29) < expiry - timezone.now() <= dt.timedelta(days=30)


def test_tokens_are_kept_only_as_digests(member: Any) -> None:
    key = sign_in(member).json()["token"]

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")  # noqa: S608
        stored = [str(value) for row in cursor.fetchall() for value in row]

    assert stored and not any(key in value for value in stored)


def test_logout_revokes_the_token_used_and_no_other(member: Any) -> None:
    phone, laptop = sign_in(member).json()["token"], sign_in(member).json()["token"]

    logged_out = with_token(phone).post(LOGOUT)

    assert logged_out.status_code == 204
    assert with_token(phone).get(ME).status_code == 401
    assert with_token(laptop).get(ME).status_code == 200


@pytest.mark.parametrize("body", ["[1]", '"\\ud800"', "[" * 100_000 + "]" * 100_000])
def test_a_logout_with_a_malformed_body_is_a_400_and_revokes_nothing(
    member: Any, body: str
) -> None:
    key = sign_in(member).json()["token"]

    refused = with_token(key).post(LOGOUT, body, content_type="application/json")

    assert refused.status_code == 400
    assert with_token(key).get(ME).status_code == 200


def test_logout_of_a_browser_session_ends_the_session(member: Any) -> None:
    browser = Client()
    browser.force_login(member)
    assert browser.get(ME).status_code == 200

    logged_out = browser.post(LOGOUT, content_type="application/json")

    assert logged_out.status_code == 204
    assert browser.get(ME).status_code in (401, 403)


def test_logout_of_a_browser_session_needs_the_csrf_token(member: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)

    refused = browser.post(LOGOUT, content_type="application/json")

    assert refused.status_code == 403
    assert browser.get(ME).status_code == 200


def test_logout_without_credentials_is_a_401(db: Any) -> None:
    assert client_for(None).post(LOGOUT).status_code == 401


def test_you_list_your_own_tokens_with_device_names_and_which_is_current(
    member: Any, outsider: Any
) -> None:
    phone = sign_in(member).json()["token"]
    sign_in(member, agent="", name="Work laptop")
    sign_in(outsider)

    listed = with_token(phone).get(TOKENS)

    assert listed.status_code == 200
    results = listed.json()["results"]
    assert [(t["name"], t["current"]) for t in results] == [
        ("Work laptop", False),
        ("Shabaka-Android/2.1 (Pixel 8)", True),
    ]
    assert set(results[0]) == {"id", "name", "created", "last_used", "expiry", "current"}
    assert phone not in listed.content.decode()


def test_you_revoke_one_of_your_tokens_and_never_someone_elses(member: Any, outsider: Any) -> None:
    phone, laptop = sign_in(member).json()["token"], sign_in(member).json()["token"]
    theirs = sign_in(outsider).json()["token"]
    ids = {t["current"]: t["id"] for t in with_token(phone).get(TOKENS).json()["results"]}
    their_id = with_token(theirs).get(TOKENS).json()["results"][0]["id"]

    refused = with_token(phone).delete(f"{TOKENS}{their_id}/")
    revoked = with_token(phone).delete(f"{TOKENS}{ids[False]}/")

    assert refused.status_code == 404
    assert with_token(theirs).get(ME).status_code == 200
    assert revoked.status_code == 204
    assert with_token(laptop).get(ME).status_code == 401
    assert with_token(phone).get(ME).status_code == 200
    assert with_token(phone).delete(f"{TOKENS}{ids[False]}/").status_code == 404


def test_a_token_unused_for_30_days_stops_working(member: Any) -> None:
    key = sign_in(member).json()["token"]
    AuthToken.objects.filter(user=member).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    assert with_token(key).get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=member).exists()


def test_using_a_token_moves_its_expiry_on_at_most_once_an_hour(
    member: Any, django_assert_num_queries: Any
) -> None:
    key = sign_in(member).json()["token"]
    long_ago = timezone.now() - dt.timedelta(days=29)
    AuthToken.objects.filter(user=member).update(
        expiry=long_ago + dt.timedelta(days=30), last_used=long_ago
    )
    client = with_token(key)

    client.get(TOKENS)  # slides the expiry: one write
    token = AuthToken.objects.get(user=member)
    with django_assert_num_queries(2):  # the token with its user, then the list
        client.get(TOKENS)  # used again within the hour: no write

    assert token.expiry > timezone.now() + dt.timedelta(days=29, hours=23)
    assert token.last_used is not None and token.last_used > timezone.now() - dt.timedelta(hours=1)
    assert AuthToken.objects.get(user=member).expiry == token.expiry


def test_a_person_keeps_at_most_50_tokens_the_least_recently_used_go_first(member: Any) -> None:
    first = sign_in(member).json()["token"]
    keys = [sign_in(member).json()["token"] for _ in range(50)]

    assert AuthToken.objects.filter(user=member).count() == 50
    assert with_token(first).get(ME).status_code == 401
    assert with_token(keys[0]).get(ME).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Token " + "0" * 64, "Token a\x00b", "Token " + "é" * 20, "Token " + "f" * 5000],
)
def test_a_bad_token_is_a_401_never_a_500(member: Any, header: str) -> None:
    response = client_for(None).get(ME, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401


def test_the_token_endpoints_are_in_the_openapi_schema(db: Any) -> None:
    schema = client_for(None).get("/api/schema/?format=json").json()

    assert {"post"} <= set(schema["paths"]["/api/v1/auth/logout/"])
    assert {"get"} <= set(schema["paths"]["/api/v1/auth/tokens/"])
    assert {"delete"} <= set(schema["paths"]["/api/v1/auth/tokens/{token_id}/"])
    token_response = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["200"]
    assert token_response["content"]["application/json"]["schema"]["$ref"].endswith("/Token")
    assert {"token", "expiry"} <= set(schema["components"]["schemas"]["Token"]["properties"])


def test_staff_revoke_a_token_in_the_admin_and_never_see_its_key(member: Any) -> None:
    key = sign_in(member).json()["token"]
    staff = Client()
    staff.force_login(make_user("root", staff=True, is_superuser=True))
    listing = staff.get("/admin/accounts/authtoken/")
    token = AuthToken.objects.get(user=member)

    revoked = staff.post(
        "/admin/accounts/authtoken/",
        {"action": "delete_selected", "_selected_action": [str(token.pk)], "post": "yes"},
    )

    assert listing.status_code == 200 and "Pixel 8" in listing.content.decode()
    assert key not in listing.content.decode() and token.digest not in listing.content.decode()
    assert revoked.status_code == 302
    assert with_token(key).get(ME).status_code == 401
