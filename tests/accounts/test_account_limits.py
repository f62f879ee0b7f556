"""Sign-in lockout, sign-up budget and the client address of the throttles (issue #11, §2).

CONTRACT.md "Accounts": after 5 failures within 15 minutes for a username or from an
address, the next attempt gets 429 with Retry-After, even with the right password, on
auth/token/, the web sign-in and /admin/login/; at most 5 accounts per address per hour.
The tests run with those limits wide open (settings) and lower them here.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tests.community.helpers import assert_error, throttle_rate
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"
PASSWORD = "correct horse battery staple"
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture
def contract_limits(settings: Any) -> None:
    """The production values of CONTRACT.md (the tests otherwise run them wide open)."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {**settings.SHABAKA["BUDGETS"], "signup": "5 per hour"},
    }


def rotating(client: APIClient | Client, method: str, path: str, data: dict[str, Any]) -> Any:
    """A request with a new X-Forwarded-For each time, from the same (untrusted) peer."""
    call = getattr(client, method)
    kwargs: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": next(_addresses)}
    if isinstance(client, APIClient):
        kwargs["format"] = "json"
    return call(path, data, **kwargs)


# --- sign-in lockout ------------------------------------------------------------------


@pytest.mark.usefixtures("contract_limits")
def test_five_wrong_passwords_lock_the_username_even_with_the_right_one_and_rotating_addresses(
    member: Any,
) -> None:
    client = APIClient()
    wrong = [
        rotating(client, "post", TOKEN, {"username": "member", "password": "guess"}).status_code
        for _ in range(4)
    ]
    fifth = rotating(client, "post", TOKEN, {"username": "member", "password": "guess"})
    right = rotating(client, "post", TOKEN, {"username": "member", "password": PASSWORD})

    assert wrong == [401] * 4
    assert fifth.status_code == 429  # the failure that reaches the limit locks at once
    assert_error(right, 429, "rate_limited")
    assert 14 * 60 < int(right["Retry-After"]) <= 15 * 60
    assert "token" not in right.json()


@pytest.mark.usefixtures("contract_limits")
def test_the_lock_holds_whatever_the_case_of_the_username(db: Any) -> None:
    make_user("Amina")
    client = APIClient()
    for name in ["Amina", "AMINA", "amina", "aMiNa", "Amina"]:
        rotating(client, "post", TOKEN, {"username": name, "password": "guess"})

    response = rotating(client, "post", TOKEN, {"username": "amina", "password": PASSWORD})

    assert_error(response, 429, "rate_limited")


@pytest.mark.usefixtures("contract_limits")
def test_the_lock_holds_for_look_alikes_of_the_username(db: Any) -> None:
    make_user("admin")
    client = APIClient()
    # Cyrillic а, fullwidth, mathematical bold a, Greek-free control: one account's key.
    for name in ["\u0430dmin", "ａｄｍｉｎ", "\U0001d41admin", "ADMIN", "admin"]:
        rotating(client, "post", TOKEN, {"username": name, "password": "guess"})

    response = rotating(client, "post", TOKEN, {"username": "admin", "password": PASSWORD})

    assert_error(response, 429, "rate_limited")


@pytest.mark.usefixtures("contract_limits")
def test_five_failures_from_one_address_lock_that_address_for_every_username(
    member: Any, outsider: Any
) -> None:
    client = APIClient()
    for n in range(5):
        client.post(TOKEN, {"username": f"nobody{n}", "password": "guess"}, format="json")

    from_there = client.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.7").post(
        TOKEN, {"username": "outsider", "password": PASSWORD}, format="json"
    )

    assert_error(from_there, 429, "rate_limited")
    assert elsewhere.status_code == 200


@pytest.mark.usefixtures("contract_limits")
def test_four_failures_then_the_right_password_signs_in(member: Any) -> None:
    client = APIClient()
    for _ in range(4):
        client.post(TOKEN, {"username": "member", "password": "guess"}, format="json")

    response = client.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")

    assert response.status_code == 200


@pytest.mark.usefixtures("contract_limits")
def test_the_lock_lifts_once_the_failures_are_older_than_fifteen_minutes(member: Any) -> None:
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN, {"username": "member", "password": "guess"}, format="json")
    assert client.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")[
        "Retry-After"
    ]

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = client.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")

    assert response.status_code == 200


@pytest.mark.usefixtures("contract_limits")
def test_the_web_sign_in_locks_too_and_says_so_in_the_pages_language(member: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for _ in range(5):
        rotating(client, "post", "/signin/", {"username": "member", "password": "guess"})

    response = rotating(client, "post", "/signin/", {"username": "member", "password": PASSWORD})

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    body = response.content.decode()
    assert '<html lang="fr"' in body
    assert "Trop de tentatives" in body and "15 minutes" in body
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("contract_limits")
def test_the_admin_login_locks_too(staff: Any) -> None:
    client = Client()
    for _ in range(5):
        rotating(client, "post", "/admin/login/", {"username": "staff", "password": "guess"})

    response = rotating(
        client, "post", "/admin/login/", {"username": "staff", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("contract_limits")
def test_a_lock_from_one_door_holds_at_the_others(member: Any) -> None:
    for _ in range(5):
        rotating(Client(), "post", "/signin/", {"username": "member", "password": "guess"})

    api = rotating(APIClient(), "post", TOKEN, {"username": "member", "password": PASSWORD})

    assert_error(api, 429, "rate_limited")


@pytest.mark.usefixtures("contract_limits")
def test_a_name_that_normalization_lengthens_is_a_wrong_password_not_a_crash(db: Any) -> None:
    response = APIClient().post(
        TOKEN, {"username": "\ufdfa" * 150, "password": "guess"}, format="json"
    )

    assert_error(response, 401)
    assert len(AccessAttempt.objects.get().username) == 255


@pytest.mark.usefixtures("contract_limits")
def test_a_peer_that_is_no_ip_address_is_locked_by_username_alone(member: Any) -> None:
    client = APIClient(REMOTE_ADDR="unix-socket")
    for _ in range(5):
        client.post(TOKEN, {"username": "member", "password": "guess"}, format="json")

    response = client.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")

    assert_error(response, 429, "rate_limited")
    assert AccessAttempt.objects.get().ip_address is None


# --- sign-up budget ----------------------------------------------------------------------


def new_account(n: int) -> dict[str, str]:
    return {"username": f"newcomer{n}", "email": f"n{n}@example.org", "password": "Argan-Oil-2024"}


@pytest.mark.usefixtures("contract_limits")
def test_a_sixth_account_from_one_address_in_an_hour_is_refused_despite_rotating_headers() -> None:
    client = APIClient()
    made = [rotating(client, "post", REGISTER, new_account(n)).status_code for n in range(5)]

    sixth = rotating(client, "post", REGISTER, new_account(6))
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.8").post(REGISTER, new_account(7), format="json")

    assert made == [201] * 5
    assert_error(sixth, 429, "rate_limited")
    assert 0 < int(sixth["Retry-After"]) <= 3600
    assert not get_user_model().objects.filter(username="newcomer6").exists()
    assert elsewhere.status_code == 201


@pytest.mark.usefixtures("contract_limits")
def test_failed_sign_ups_do_not_count(member: Any) -> None:
    client = APIClient()
    taken = [
        client.post(REGISTER, new_account(n) | {"username": "member"}, format="json").status_code
        for n in range(6)
    ]

    made = [client.post(REGISTER, new_account(n), format="json").status_code for n in range(5)]

    assert taken == [409] * 6
    assert made == [201] * 5


@pytest.mark.usefixtures("contract_limits")
def test_the_web_sign_up_shares_the_budget() -> None:
    for n in range(5):
        assert APIClient().post(REGISTER, new_account(n), format="json").status_code == 201

    response = rotating(Client(), "post", "/signup/", new_account(9) | {"display_name": ""})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not get_user_model().objects.filter(username="newcomer9").exists()


# --- the client address of DRF's throttles --------------------------------------------------


@pytest.fixture
def anon_two_per_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with throttle_rate(monkeypatch, "anon", "2/min"):
        yield


@pytest.mark.usefixtures("anon_two_per_minute")
def test_a_rotating_forwarded_for_from_an_untrusted_peer_does_not_escape_a_throttle() -> None:
    client = APIClient()
    statuses = [rotating(client, "get", "/api/v1/networks/", {}).status_code for _ in range(3)]

    assert statuses[:2] == [200, 200]
    throttled = rotating(client, "get", "/api/v1/networks/", {})
    assert_error(throttled, 429, "rate_limited")
    assert 0 < int(throttled["Retry-After"]) <= 60


@pytest.mark.usefixtures("anon_two_per_minute")
def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_throttle(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()  # the test client's peer is 127.0.0.1: our balancer
    first = [
        client.get("/api/v1/networks/", HTTP_X_FORWARDED_FOR="203.0.113.50").status_code
        for _ in range(3)
    ]
    other = client.get("/api/v1/networks/", HTTP_X_FORWARDED_FOR="203.0.113.51")

    assert first == [200, 200, 429]
    assert other.status_code == 200


@pytest.mark.usefixtures("contract_limits")
def test_behind_a_trusted_proxy_the_lock_is_on_the_forwarded_address(
    settings: Any, member: Any
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()
    for n in range(5):
        client.post(
            TOKEN,
            {"username": f"nobody{n}", "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR="203.0.113.60",
        )
    locked = client.post(
        TOKEN,
        {"username": "member", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.60",
    )
    other = client.post(
        TOKEN,
        {"username": "member", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.61",
    )

    assert locked.status_code == 429
    assert other.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.60"}


def test_the_production_defaults_are_the_contracts() -> None:
    code = (
        "import config.settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), "
        "s.SHABAKA['BUDGETS']['signup'])"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIGNIN_", "BUDGET_"))
    }
    env.update(SHABAKA_TESTING="0", DEBUG="true")
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["5", "900", "5", "per", "hour"]
