"""Text no database can hold, and JSON no parser should descend into, are a 400 at the door.

Reproductions of issue #11, section 5: a lone surrogate (`"\\ud800"`) or a NUL in any
JSON string or key, a NUL in a query parameter or a path, JSON nested 100,000 deep,
and a JSON body declared in a charset that is not UTF-8 each answered 500 (or, on
SQLite, stored the NUL). Each now gets the contract's 400 and writes nothing; web
pages answer the same inputs with a 400 page. The hostile suite
(tests/hostile/test_poisoned_text.py) sweeps every field of the schema; these are the
cases as reported.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from community.forums import actions as forums
from community.models import Network
from directory.models import Profile
from tests.community.helpers import assert_error

pytestmark = pytest.mark.django_db

API = Callable[[Any], Any]


def profile_row(user: Any) -> dict[str, Any]:
    return Profile.objects.filter(user=user).values().get()


def patch_profile(api: API, user: Any, raw: str | bytes, content_type: str = "") -> Any:
    return api(user).generic("PATCH", "/api/v1/profile/", raw, content_type or "application/json")


@pytest.mark.parametrize(
    "raw",
    [
        '{"city": "\\ud800"}',
        '{"city": "Rabat\\udfff"}',
        '{"\\ud800": "Rabat"}',
        '{"project": {"title": "\\ud800"}}',
        '{"skills": ["ok", "\\udc00"]}',
    ],
)
def test_a_lone_surrogate_in_a_profile_value_or_key_is_a_400_and_changes_nothing(
    api: API, member: Any, raw: str
) -> None:
    before = profile_row(member)

    error = assert_error(patch_profile(api, member, raw), 400, "invalid")

    assert "surrogate" in error["message"]
    assert profile_row(member) == before


def test_a_nul_in_a_profile_field_is_a_400_and_is_not_stored(api: API, member: Any) -> None:
    before = profile_row(member)

    error = assert_error(patch_profile(api, member, '{"city": "a\\u0000b"}'), 400, "invalid")

    assert list(error["fields"]) == ["city"]
    assert profile_row(member) == before


@pytest.mark.parametrize("depth", [65, 100_000])
def test_json_nested_deeper_than_64_levels_is_refused_before_parsing(
    api: API, member: Any, depth: int
) -> None:
    before = profile_row(member)
    raw = '{"city": ' + "[" * depth + "]" * depth + "}"

    assert_error(patch_profile(api, member, raw), 400, "too_deep")

    assert profile_row(member) == before


def test_json_nested_64_levels_is_parsed_and_judged_by_the_serializer(
    api: API, member: Any
) -> None:
    raw = '{"city": ' + "[" * 63 + "]" * 63 + "}"  # the body object is the 64th level

    assert_error(patch_profile(api, member, raw), 400, "invalid")


def test_brackets_inside_strings_do_not_count_as_nesting(api: API, member: Any) -> None:
    raw = '{"city": "' + '[{\\"' * 30 + '"}'  # 90 characters: [{"[{"[{"…

    response = patch_profile(api, member, raw)

    assert response.status_code == 200, response.content
    assert response.json()["city"] == '[{"' * 30


@pytest.mark.parametrize("charset", ["rot13", "raw_unicode_escape", "utf-7", "utf-16"])
def test_a_json_body_in_a_charset_other_than_utf8_is_refused(
    api: API, member: Any, charset: str
) -> None:
    before = profile_row(member)

    response = patch_profile(
        api, member, b'{"city": "\\ud800"}', f"application/json; charset={charset}"
    )

    assert_error(response, 415, "unsupported_media_type")
    assert profile_row(member) == before


def test_utf8_declared_in_any_spelling_is_accepted(api: API, member: Any) -> None:
    response = patch_profile(
        api, member, '{"city": "Fès"}'.encode(), "application/json; charset=UTF8"
    )

    assert response.status_code == 200 and response.json()["city"] == "Fès"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/networks/?q=a%00b",
        "/api/v1/networks/?a%00b=1",
        "/api/v1/directory/?skill=ok&skill=a%00b",
        "/api/v1/search/?q=%00",
        "/api/v1/profiles/a%00b/",
        "/api/v1/networks/germany%00/",
    ],
)
def test_a_nul_in_a_query_parameter_or_path_is_a_400_in_the_error_shape(
    api: API, member: Any, public_network: Network, path: str
) -> None:
    assert_error(api(member).get(path), 400, "invalid")


def test_a_cursor_carrying_a_lone_surrogate_is_an_invalid_cursor(
    api: API, member: Any, public_network: Network
) -> None:
    cursor = base64.urlsafe_b64encode(b'["\\ud800", 1]').decode().rstrip("=")

    assert_error(api(member).get(f"/api/v1/networks/?cursor={cursor}"), 400, "invalid_cursor")


def test_invalid_utf8_in_a_query_string_is_read_as_replacement_characters(
    api: API, member: Any, public_network: Network
) -> None:
    """Django decodes the query string with errors="replace": no surrogate gets through."""
    response = api(member).get("/api/v1/networks/?q=%ed%a0%80%ff")

    assert response.status_code == 200, response.content


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path", ["/directory/?q=a%00b", "/networks/a%00b/", "/people/a%00b/", "/signin/?next=%00"]
)
def test_web_pages_answer_a_nul_in_the_address_with_a_400_page(
    member: Any, public_network: Network, path: str
) -> None:
    response = signed_in(member).get(path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Traceback" not in page and "<html" in page
    assert "not understood" in page


def test_a_web_form_with_a_nul_is_a_400_page_and_changes_nothing(
    owner: Any, member: Any, public_network: Network
) -> None:
    category = forums.do_create_category(owner, public_network, name="Entraide")
    _, post = forums.do_create_topic(member, category, "Bonjour", "Premier message")

    response = signed_in(member).post(f"/posts/{post.pk}/edit/", {"body": "edited\x00"})

    assert response.status_code == 400
    post.refresh_from_db()
    assert post.body == "Premier message"


def test_a_sign_up_form_with_a_nul_is_a_400_page_and_creates_nobody(db: Any) -> None:
    from django.contrib.auth import get_user_model

    response = Client().post(
        "/signup/",
        {"username": "nul\x00user", "email": "nul@example.org", "password": "a long passphrase"},
    )

    assert response.status_code == 400
    assert not get_user_model().objects.filter(email="nul@example.org").exists()


# --- credentials ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Token abc\x00def"},
        {"HTTP_COOKIE": "sessionid=abc\x00def"},
        {"HTTP_COOKIE": "csrftoken=a\x00b; sessionid=abc"},
    ],
    ids=["token", "session cookie", "csrf cookie"],
)
@pytest.mark.parametrize("path", ["/api/v1/networks/", "/api/v1/profile/", "/", "/directory/"])
def test_a_nul_in_the_credentials_is_never_a_500(
    db: Any, headers: dict[str, str], path: str
) -> None:
    """Found by the input helper: PostgreSQL refused the token and session lookups (500)."""
    response = Client().get(path, **headers)
    assert response.status_code < 500
    if path.startswith("/api/") and response.status_code >= 400:
        assert "error" in response.json()
