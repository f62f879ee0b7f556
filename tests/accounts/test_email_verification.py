"""Email verification: mailed at registration and on a change of address, one use, dead
once the address changes; resend on the account page within the budget."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client

from accounts import links
from accounts.identity import email_verified
from tests.accounts.mailbox import link_in, sent_to, uid_and_token
from tests.community.helpers import assert_error
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/verify-email/"
GOOD = {"username": "salma", "email": "salma@example.ma", "password": "Argan-Oil-2024"}


def registered(api: Callable[[Any], Any], jobs: Any) -> tuple[Any, tuple[str, str]]:
    assert api(None).post(REGISTER, GOOD, format="json").status_code == 201
    jobs.run_pending()
    user = get_user_model().objects.get(username="salma")
    [message] = sent_to("salma@example.ma")
    return user, uid_and_token(link_in(message, "/account/verify/"))


def verify(api: Callable[[Any], Any], uid: str, token: str) -> Any:
    return api(None).post(VERIFY, {"uid": uid, "token": token}, format="json")


def test_registration_mails_a_link_that_verifies_the_address_once(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    user, (uid, token) = registered(api, jobs)
    assert not email_verified(user)

    first = verify(api, uid, token)
    second = verify(api, uid, token)

    assert first.status_code == 204
    assert email_verified(user)
    assert_error(second, 400, "invalid_link")


def test_a_link_to_a_previous_address_dies_with_the_change(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    user, (uid, token) = registered(api, jobs)
    user.email = "salma@elsewhere.example"
    user.save()

    assert_error(verify(api, uid, token), 400, "invalid_link")
    assert not email_verified(user)


def test_an_expired_verification_link_is_refused(
    api: Callable[[Any], Any], jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, (uid, token) = registered(api, jobs)
    later = dt.datetime.now() + dt.timedelta(hours=25)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    assert_error(verify(api, uid, token), 400, "invalid_link")
    assert not email_verified(user)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token, user: (uid, token[:-2] + ("11" if token.endswith("00") else "00")),
        lambda uid, token, user: (uid, links.reset_tokens.make_token(user)),
        lambda uid, token, user: ("bm9wZQ", token),
        lambda uid, token, user: ("", token),
    ],
    ids=["token", "reset-token", "other-uid", "empty-uid"],
)
def test_a_tampered_verification_link_is_a_400_and_verifies_nothing(
    api: Callable[[Any], Any], jobs: Any, tamper: Any
) -> None:
    user, (uid, token) = registered(api, jobs)

    response = verify(api, *tamper(uid, token, user))

    assert response.status_code == 400
    assert not email_verified(user)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "MQ", "token": "x"}, "uid"),
        ({"uid": "MQ"}, "token"),
        ({"uid": 1, "token": []}, "token"),
    ],
)
def test_wrong_fields_of_a_verification_are_a_400_naming_them(
    api: Callable[[Any], Any], body: dict[str, Any], field: str
) -> None:
    assert field in assert_error(api(None).post(VERIFY, body, format="json"), 400)["fields"]


def test_the_web_link_confirms_the_address_and_a_second_visit_says_it_no_longer_works(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    user, (uid, token) = registered(api, jobs)
    browser = Client()

    page = browser.get(f"/account/verify/{uid}/{token}/")
    again = browser.get(f"/account/verify/{uid}/{token}/")

    assert page.status_code == 200
    assert "Address confirmed" in page.content.decode()
    assert email_verified(user)
    assert again.status_code == 400
    assert "This link no longer works" in again.content.decode()


def test_a_made_up_web_link_says_the_same_whether_or_not_the_account_exists(
    member: Any,
) -> None:
    browser = Client()
    paths = [f"/account/verify/{links.uid_of(member)}/1-abc/", "/account/verify/OTk5OTk5/1-abc/"]

    pages = [browser.get(path) for path in paths]

    assert [page.status_code for page in pages] == [400, 400]
    # The page's own path (in its sign-in link) and its CSRF token aside, they are the same.
    texts = [
        re.sub(r'csrfmiddlewaretoken" value="\w+"', "", page.content.decode().replace(path, ""))
        for page, path in zip(pages, paths, strict=True)
    ]
    assert texts[0] == texts[1]


def test_changing_the_address_on_the_account_page_unverifies_it_and_mails_the_new_one(
    client: Any, jobs: Any, member: Any
) -> None:
    client.force_login(member)

    response = client.post(
        "/account/email/",
        {"email": "member@new.example", "password": "correct horse battery staple"},
    )
    jobs.run_pending()

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "member@new.example"
    assert not email_verified(member)
    [message] = sent_to("member@new.example")
    assert sent_to("member@example.org") == []
    uid, token = uid_and_token(link_in(message, "/account/verify/"))
    assert client.get(f"/account/verify/{uid}/{token}/").status_code == 200
    assert email_verified(member)


def test_changing_the_address_needs_the_current_password(client: Any, member: Any) -> None:
    client.force_login(member)

    response = client.post("/account/email/", {"email": "x@new.example", "password": "guess"})

    assert response.status_code == 400
    assert "Wrong password" in response.content.decode()
    member.refresh_from_db()
    assert member.email == "member@example.org"


def test_changing_to_a_taken_address_answers_the_same_and_changes_nothing(
    client: Any, jobs: Any, member: Any, outsider: Any
) -> None:
    client.force_login(member)
    body = {"email": outsider.email.upper(), "password": "correct horse battery staple"}

    taken = client.post("/account/email/", body, follow=True)
    fresh = client.post("/account/email/", body | {"email": "free@new.example"}, follow=True)
    jobs.run_pending()

    assert taken.status_code == fresh.status_code == 200
    assert [str(m) for m in taken.context["messages"]] == [
        str(m) for m in fresh.context["messages"]
    ]
    assert sent_to(outsider.email) == []
    assert get_user_model().objects.filter(email__iexact=outsider.email).count() == 1


def test_the_admin_changing_an_address_mails_the_new_one_its_link(
    client: Any, jobs: Any, member: Any
) -> None:
    admin = make_user("root", staff=True, is_superuser=True)
    client.force_login(admin)
    form = client.get(f"/admin/auth/user/{member.pk}/change/").context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None
        and k not in ("groups", "user_permissions", "last_login", "date_joined", "password")
    }
    data |= {
        "email": "member@admin-set.example",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }

    response = client.post(f"/admin/auth/user/{member.pk}/change/", data)
    jobs.run_pending()

    assert response.status_code == 302, response.content[:2000]
    assert not email_verified(member)
    assert len(sent_to("member@admin-set.example")) == 1


def test_the_account_page_shows_an_unconfirmed_address_and_resends_its_link(
    client: Any, jobs: Any
) -> None:
    user = make_user("unproven", email_verified=False)
    client.force_login(user)

    page = client.get("/account/").content.decode()
    resent = client.post("/account/email/resend/")
    jobs.run_pending()

    assert "not confirmed" in page
    assert "/account/email/resend/" in page
    assert resent.status_code == 302
    assert len(sent_to(user.email)) == 1


def test_resending_for_a_confirmed_address_mails_nothing(
    client: Any, jobs: Any, member: Any
) -> None:
    client.force_login(member)

    page = client.get("/account/").content.decode()
    client.post("/account/email/resend/")
    jobs.run_pending()

    assert "/account/email/resend/" not in page
    assert sent_to(member.email) == []


def test_resending_is_throttled_per_address(client: Any, jobs: Any, settings: Any) -> None:
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {**settings.SHABAKA["BUDGETS"], "mail_address": "2 per hour"},
    }
    user = make_user("eager", email_verified=False)
    client.force_login(user)

    answers = [client.post("/account/email/resend/", follow=True) for _ in range(4)]
    jobs.run_pending()

    assert len(sent_to(user.email)) == 2
    assert "wait before asking again" in answers[-1].content.decode()


def test_nothing_is_mailed_to_an_unverified_address_but_its_verification(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    """The notification mail's filter (accounts.identity.verified_email) leaves it out."""
    user, _ = registered(api, jobs)
    from accounts.identity import verified_email

    assert not get_user_model().objects.filter(verified_email(), pk=user.pk).exists()
    assert [m.subject for m in sent_to(user.email)] == ["Confirm your email address"]
