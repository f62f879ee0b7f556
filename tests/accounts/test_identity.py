"""Look-alike usernames, duplicate emails and concurrent registrations (issue #11, section 4)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from tests.community.helpers import assert_error
from tests.factories.users import make_user

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "Argan-Oil-2024"


def register(client: Any, username: str, email: str) -> Any:
    return client.post(
        REGISTER, {"username": username, "email": email, "password": PASSWORD}, format="json"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("real", "twin"),
    [
        ("admin", "\u0430dmin"),  # Cyrillic а
        ("youssef.elidrissi", "y\u03bfussef.elidrissi"),  # Greek ο
        ("admin", "ａｄｍｉｎ"),  # fullwidth
        ("admin", "\U0001d41admin"),  # mathematical bold a
        ("RaceUser", "raceuser"),  # case
        ("maria", "rnaria"),  # rn reads as m
    ],
)
def test_a_look_alike_of_a_taken_username_is_refused(
    api: Callable[[Any], Any], real: str, twin: str
) -> None:
    make_user(real)

    response = register(api(None), twin, "twin@example.org")

    error = assert_error(response, 409, "username_taken")
    assert "username" in error["fields"]
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_a_registered_username_is_stored_nfkc_normalized(api: Callable[[Any], Any]) -> None:
    response = register(api(None), "ﬁrdaous", "firdaous@example.org")  # the ﬁ ligature

    assert response.status_code == 201, response.content
    assert response.json()["username"] == "firdaous"
    assert get_user_model().objects.filter(username="firdaous").exists()


@pytest.mark.django_db
def test_an_email_is_unique_whatever_its_case(api: Callable[[Any], Any]) -> None:
    client = api(None)
    assert register(client, "amina", "Amina@Example.ma").status_code == 201

    response = register(client, "amina2", "amina@example.MA")

    # Answered as a success (tests/accounts/test_taken_address.py), but nothing is made.
    assert response.status_code == 201
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_a_user_signs_in_typing_the_username_in_another_case(api: Callable[[Any], Any]) -> None:
    client = api(None)
    assert register(client, "Amina.Benali", "amina@example.ma").status_code == 201

    token = client.post(TOKEN, {"username": "amina.benali", "password": PASSWORD}, format="json")
    wrong = client.post(TOKEN, {"username": "AMINA.BENALI", "password": "nope"}, format="json")

    assert token.status_code == 200, token.content
    assert wrong.status_code == 401


@pytest.mark.django_db
def test_the_web_sign_up_refuses_a_look_alike_with_a_form_error() -> None:
    make_user("admin")

    response = Client().post(
        "/signup/",
        {"username": "ａｄｍｉｎ", "email": "x@example.org", "password": PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors.get("username")
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_the_admin_cannot_create_a_look_alike_user() -> None:
    staff = make_user("boss", staff=True, is_superuser=True)
    make_user("admin")
    client = Client()
    client.force_login(staff)

    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "\u0430dmin",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.get("username")
    assert not get_user_model().objects.filter(username="\u0430dmin").exists()


@pytest.mark.django_db
def test_the_database_itself_refuses_a_look_alike_created_behind_the_actions() -> None:
    from django.db import IntegrityError, transaction

    make_user("admin")

    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user("\u0430dmin", "other@example.org")


def _race(names_and_emails: list[tuple[str, str]]) -> list[int]:
    """Register concurrently, each thread on its own database connection; the statuses."""
    barrier = threading.Barrier(len(names_and_emails))
    statuses: list[int] = []

    def one(username: str, email: str) -> None:
        try:
            barrier.wait()
            statuses.append(register(APIClient(), username, email).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=pair) for pair in names_and_emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_name_in_two_cases_create_one_account() -> None:
    if connection.vendor == "sqlite":
        # pytest-django's in-memory SQLite is shared-cache: concurrent writers get
        # "table is locked" from the cache itself, not from our code (pass 2 races).
        pytest.skip("real concurrency needs PostgreSQL")
    pairs = [("raceuser" if i % 2 else "RaceUser", f"race{i}@example.org") for i in range(10)]

    statuses = _race(pairs)

    assert sorted(statuses) == [201] + [409] * 9
    assert get_user_model().objects.filter(username__iexact="raceuser").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_with_one_email_create_one_account() -> None:
    if connection.vendor == "sqlite":
        # pytest-django's in-memory SQLite is shared-cache: concurrent writers get
        # "table is locked" from the cache itself, not from our code (pass 2 races).
        pytest.skip("real concurrency needs PostgreSQL")
    pairs = [(f"racer{i}", "Same@example.org" if i % 2 else "same@example.org") for i in range(10)]

    statuses = _race(pairs)

    # Each is answered as a success (a taken address tells nobody it is taken).
    assert sorted(statuses) == [201] * 10
    assert get_user_model().objects.filter(email__iexact="same@example.org").count() == 1
