"""Registering with an address that already has an account answers exactly as a success
does, makes nothing, and mails the owner of that address instead (issue 13: `email_taken`
told anyone which addresses have accounts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import AccountKey
from mailer.models import Mail
from tests.accounts.mailbox import link_in, sent_to, text_of, uid_and_token
from tests.community.helpers import assert_error

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
PASSWORD = "Argan-Oil-2024"


def register(api: Callable[[Any], Any], username: str, email: str) -> Any:
    return api(None).post(
        REGISTER, {"username": username, "email": email, "password": PASSWORD}, format="json"
    )


def test_a_taken_address_gets_the_same_status_and_shape_as_a_new_one(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    users = get_user_model().objects.count()

    taken = register(api, "newcomer", member.email.upper())
    fresh = register(api, "newcomer2", "fresh@example.org")

    assert taken.status_code == fresh.status_code == 201
    assert set(taken.json()) == set(fresh.json()) == {"id", "username"}
    assert taken.json()["username"] == "newcomer"
    assert isinstance(taken.json()["id"], int)
    # Nothing made for the taken address; the fresh one is an account.
    assert get_user_model().objects.count() == users + 1
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert AccountKey.objects.filter(email_key=member.email.lower()).count() == 1


def test_a_taken_address_writes_a_mail_as_a_new_one_does(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    """Same work at the request: one mail row each (the owner's note, the verification)."""
    register(api, "newcomer", member.email)
    register(api, "newcomer2", "fresh@example.org")

    kinds = sorted(Mail.objects.values_list("kind", "to_address"))
    assert kinds == [
        ("accounts.address_taken", member.email),
        ("accounts.verify_email", "fresh@example.org"),
    ]


def test_the_owner_of_a_taken_address_is_mailed_a_reset_link_that_works(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    register(api, "impostor", member.email)
    jobs.run_pending()

    [note] = sent_to(member.email)
    assert "tried to register" in text_of(note)
    uid, token = uid_and_token(link_in(note, "/account/password/reset/"))
    reset = api(None).post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "Zitoun-Tree-2031"},
        format="json",
    )
    assert reset.status_code == 204


def test_an_unverified_owner_is_sent_its_verification_again_not_the_note(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    """Nothing but the verification goes to an unverified address."""
    from tests.factories.users import make_user

    unverified = make_user("unverified", email_verified=False)
    register(api, "impostor", unverified.email)
    kinds = list(Mail.objects.filter(to_address=unverified.email).values_list("kind", flat=True))
    assert kinds == ["accounts.verify_email"]


def test_the_owner_is_not_mail_bombed_by_repeated_registrations(
    api: Callable[[Any], Any], jobs: Any, member: Any, settings: Any
) -> None:
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {**settings.SHABAKA["BUDGETS"], "mail_address": "2 per hour"},
    }

    statuses = {register(api, f"impostor{n}", member.email).status_code for n in range(5)}
    jobs.run_pending()

    assert statuses == {201}
    assert len(sent_to(member.email)) == 2


def test_a_taken_username_is_still_a_409_and_a_weak_password_still_a_400(
    api: Callable[[Any], Any], member: Any
) -> None:
    """Usernames are public; the password check runs before the address is looked at, so
    a weak password is refused the same for a taken and a free address."""
    assert_error(register(api, "member", "fresh@example.org"), 409, "username_taken")
    for email in (member.email, "fresh@example.org"):
        weak = api(None).post(
            REGISTER, {"username": "newcomer", "email": email, "password": "123"}, format="json"
        )
        assert "password" in assert_error(weak, 400, "invalid")["fields"]
    assert Mail.objects.count() == 0


def test_the_web_sign_up_with_a_taken_address_shows_the_same_page_and_signs_nobody_in(
    jobs: Any, member: Any
) -> None:
    taken, fresh = Client(), Client()
    body = {"username": "newcomer", "email": member.email, "password": "a long passphrase 42"}

    taken_response = taken.post("/signup/", body, follow=True)
    fresh_response = fresh.post(
        "/signup/", body | {"username": "other", "email": "fresh@example.org"}, follow=True
    )
    jobs.run_pending()

    # The same answer and the same next page (the new profile's editor). Past it, the
    # one signed in stays and the other is asked to sign in: no page can hide whether
    # one holds a session, which the answer's cookie already tells.
    assert taken_response.redirect_chain[0] == fresh_response.redirect_chain[0]
    assert [str(m) for m in taken_response.context["messages"]] == [
        str(m) for m in fresh_response.context["messages"]
    ]
    assert "errorlist" not in taken_response.content.decode()
    assert not taken_response.context["user"].is_authenticated
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert len(sent_to(member.email)) == 1
