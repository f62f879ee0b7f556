"""CONTRACT.md's error shape everywhere under /api/: DRF's own errors and Django's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from community.models import Network
from tests.community.helpers import assert_error, nothing_written

pytestmark = pytest.mark.django_db


def test_no_credentials_is_a_401_with_a_token_challenge(public_network: Network) -> None:
    response = APIClient().get("/api/v1/networks/germany/members/")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_a_401(public_network: Network) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert_error(client.get("/api/v1/networks/"), 401, "authentication_failed")


def test_known_but_not_allowed_is_a_403(
    api: Callable[[Any], Any], member: Any, public_network: Network
) -> None:
    with nothing_written():
        response = api(member).patch("/api/v1/networks/germany/", {"name": "X"}, format="json")

    assert_error(response, 403, "not_owner")


def test_session_writes_need_the_csrf_token(member: Any, public_network: Network) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)

    with nothing_written():
        response = client.post("/api/v1/networks/germany/leave/", {}, format="json")

    assert_error(response, 403, "permission_denied")
    assert "CSRF" in response.json()["error"]["message"]


def test_wrong_method_is_a_405(
    api: Callable[[Any], Any], member: Any, public_network: Network
) -> None:
    response = api(member).put("/api/v1/networks/germany/", {}, format="json")

    assert_error(response, 405, "method_not_allowed")


def test_a_body_that_is_not_json_is_a_415(
    api: Callable[[Any], Any], outsider: Any, public_network: Network
) -> None:
    with nothing_written():
        response = api(outsider).post(
            "/api/v1/networks/germany/join/", "message=hi", content_type="text/plain"
        )

    assert_error(response, 415, "unsupported_media_type")


def test_an_unknown_api_path_is_a_json_404(api: Callable[[Any], Any], member: Any) -> None:
    for path in ("/api/v1/nothing-here/", "/api/nothing/", "/api/v1/networks/germany/x/y/z/"):
        assert_error(api(member).get(path), 404, "not_found")


def test_pages_outside_the_api_keep_django_errors() -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_a_413(
    api: Callable[[Any], Any], outsider: Any, public_network: Network
) -> None:
    with nothing_written():
        response = api(outsider).post(
            "/api/v1/networks/germany/join/", {"message": "x" * 2000}, format="json"
        )

    assert_error(response, 413, "too_large")


def test_a_crash_under_the_api_is_a_json_500_without_details(
    monkeypatch: pytest.MonkeyPatch, public_network: Network
) -> None:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("community.queries.list_networks", crash)
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/v1/networks/")

    assert_error(response, 500, "server_error")
    assert "secret" not in response.content.decode()


def test_validation_errors_list_messages_per_field(api: Callable[[Any], Any], staff: Any) -> None:
    response = api(staff).post("/api/v1/networks/", {"name": "Réseau"}, format="json")

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"slug", "kind"}
    assert error["fields"]["slug"] == ["This field is required."]


def test_errors_answered_by_other_middleware_are_json_too(public_network: Network) -> None:
    response = APIClient().get("/api/v1/networks/", HTTP_HOST="evil.example")

    assert_error(response, 400, "bad_request")


def test_method_not_allowed_keeps_its_allow_header(api: Callable[[Any], Any], member: Any) -> None:
    response = api(member).delete("/healthz")

    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
