"""Password reset (CONTRACT.md "Accounts"): always 202, a one-use link valid 24 hours,
the same answer and work for an unknown address, budgets against mail bombing, and a
reset ends every other session, API token and socket of the account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import links
from accounts.identity import email_verified
from accounts.models import AuthToken
from mailer.models import Mail
from tests.accounts.mailbox import link_in, sent_to, uid_and_token
from tests.community.helpers import assert_error
from tests.factories.users import client_for, make_user

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password-reset/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"
NEW = "Zitoun-Tree-2031"


def ask(api: Callable[[Any], Any], email: str, **extra: Any) -> Any:
    return api(None).post(RESET, {"email": email}, format="json", **extra)


def mailed_link(api: Callable[[Any], Any], jobs: Any, user: Any) -> tuple[str, str]:
    assert ask(api, user.email).status_code == 202
    jobs.run_pending()
    [message] = sent_to(user.email)
    return uid_and_token(link_in(message, "/account/password/reset/"))


def confirm(api: Callable[[Any], Any], uid: str, token: str, password: str = NEW) -> Any:
    return api(None).post(
        CONFIRM, {"uid": uid, "token": token, "new_password": password}, format="json"
    )


def test_a_known_and_an_unknown_address_get_the_same_answer_and_the_same_work(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    known = ask(api, member.email)
    known_jobs = jobs.pending()
    unknown = ask(api, "nobody@example.org")

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert known.status_code == 202
    # The request only enqueues the look-up, whatever the address: no query tells them apart.
    assert [name for name, _ in known_jobs] == ["accounts.tasks.mail_password_reset"]
    assert [name for name, _ in jobs.pending()] == ["accounts.tasks.mail_password_reset"] * 2
    assert Mail.objects.count() == 0
    jobs.run_pending()
    assert Mail.objects.count() == 1
    assert [m.to for m in sent_to(member.email)] == [[member.email]]
    assert sent_to("nobody@example.org") == []


def test_the_request_runs_the_same_queries_for_a_known_and_an_unknown_address(
    api: Callable[[Any], Any], member: Any
) -> None:
    """No look-up at request time (the job does it), so no time difference to measure."""
    client = api(None)
    with CaptureQueriesContext(connection) as known:
        client.post(RESET, {"email": member.email}, format="json")
    with CaptureQueriesContext(connection) as unknown:
        client.post(RESET, {"email": "nobody@example.org"}, format="json")

    assert [q["sql"] for q in known.captured_queries] == [
        q["sql"].replace("nobody@example.org", member.email) for q in unknown.captured_queries
    ]
    assert not any("account" in q["sql"].lower() for q in known.captured_queries)


def test_an_address_in_another_case_reaches_its_account(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    ask(api, member.email.upper())
    jobs.run_pending()

    assert len(sent_to(member.email)) == 1


def test_a_deactivated_account_is_mailed_nothing(api: Callable[[Any], Any], jobs: Any) -> None:
    gone = make_user("gone", is_active=False)

    assert ask(api, gone.email).status_code == 202
    jobs.run_pending()

    assert sent_to(gone.email) == []


def test_the_mailed_link_sets_a_new_password_once(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    uid, token = mailed_link(api, jobs, member)

    done = confirm(api, uid, token)
    again = confirm(api, uid, token, "Another-Olive-2032")

    assert done.status_code == 204
    member.refresh_from_db()
    assert member.check_password(NEW)
    assert_error(again, 400, "invalid_link")
    assert member.check_password(NEW)


def test_a_reset_ends_every_session_and_api_token_of_the_account(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    browser = Client()
    browser.force_login(member)
    device = client_for(member)
    assert browser.get("/api/v1/auth/me/").status_code == 200
    assert device.get("/api/v1/auth/me/").status_code == 200
    uid, token = mailed_link(api, jobs, member)

    assert confirm(api, uid, token).status_code == 204

    assert browser.get("/api/v1/auth/me/").status_code in (401, 403)
    assert device.get("/api/v1/auth/me/").status_code == 401
    assert not AuthToken.objects.filter(user=member).exists()
    signed_in = api(None).post(
        "/api/v1/auth/token/", {"username": "member", "password": NEW}, format="json"
    )
    assert signed_in.status_code == 200


def test_a_reset_closes_the_accounts_sockets(
    api: Callable[[Any], Any],
    jobs: Any,
    member: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[tuple[int, Any]] = []
    monkeypatch.setattr(
        "accounts.signout.close_sockets", lambda user_id, cred: closed.append((user_id, cred))
    )
    uid, token = mailed_link(api, jobs, member)

    confirm(api, uid, token)

    assert (member.pk, None) in closed


def test_following_a_reset_link_verifies_the_address_it_was_mailed_to(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    user = make_user("unproven", email_verified=False)
    uid, token = mailed_link(api, jobs, user)

    confirm(api, uid, token)

    assert email_verified(user)


def test_a_link_older_than_24_hours_is_refused(
    api: Callable[[Any], Any], jobs: Any, member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid, token = mailed_link(api, jobs, member)
    later = dt.datetime.now() + dt.timedelta(hours=24, minutes=1)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    assert_error(confirm(api, uid, token), 400, "invalid_link")
    member.refresh_from_db()
    assert member.check_password("correct horse battery staple")


def test_a_link_just_under_24_hours_old_still_works(
    api: Callable[[Any], Any], jobs: Any, member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid, token = mailed_link(api, jobs, member)
    later = dt.datetime.now() + dt.timedelta(hours=23, minutes=59)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    assert confirm(api, uid, token).status_code == 204


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token, other: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),
        lambda uid, token, other: (links.uid_of(other), token),
        lambda uid, token, other: ("not-base64!", token),
        lambda uid, token, other: ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5", token),
        lambda uid, token, other: (uid, links.verify_tokens.make_token(other)),
        lambda uid, token, other: (uid, "x" * 64),
    ],
    ids=["token", "other-uid", "bad-uid", "huge-uid", "verify-token", "garbage"],
)
def test_a_tampered_link_is_a_400_invalid_link_and_changes_nothing(
    api: Callable[[Any], Any], jobs: Any, member: Any, outsider: Any, tamper: Any
) -> None:
    uid, token = mailed_link(api, jobs, member)

    response = confirm(api, *tamper(uid, token, outsider))

    assert_error(response, 400, "invalid_link")
    for user in (member, outsider):
        user.refresh_from_db()
        assert user.check_password("correct horse battery staple")


def test_a_weak_new_password_is_a_400_naming_new_password_and_the_link_still_works(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    uid, token = mailed_link(api, jobs, member)

    weak = confirm(api, uid, token, "12345678")

    assert "new_password" in assert_error(weak, 400, "invalid")["fields"]
    assert confirm(api, uid, token).status_code == 204


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (RESET, {"mail": "member@example.org"}, "email"),
        (RESET, {"email": "not an address"}, "email"),
        (RESET, {"email": ["member@example.org"]}, "email"),
        (CONFIRM, {"uid": "MQ", "token": "t", "password": NEW}, "new_password"),
        (CONFIRM, {"user": "MQ", "token": "t", "new_password": NEW}, "uid"),
        (CONFIRM, {"uid": "MQ", "new_password": NEW}, "token"),
        (CONFIRM, {"uid": "MQ", "token": "t" * 65, "new_password": NEW}, "token"),
        (CONFIRM, {"uid": "MQ", "token": "\x00", "new_password": NEW}, "token"),
    ],
)
def test_wrong_or_missing_fields_are_a_400_naming_the_field(
    api: Callable[[Any], Any], jobs: Any, member: Any, path: str, body: dict[str, Any], field: str
) -> None:
    response = api(None).post(path, body, format="json")

    assert field in assert_error(response, 400, "invalid")["fields"]
    jobs.run_pending()
    assert sent_to(member.email) == []


def test_a_body_that_is_not_an_object_is_a_400(api: Callable[[Any], Any]) -> None:
    assert_error(api(None).post(RESET, ["x"], format="json"), 400)
    assert_error(api(None).post(CONFIRM, "x", format="json"), 400)


@pytest.fixture
def mail_budgets(settings: Any) -> None:
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {
            **settings.SHABAKA["BUDGETS"],
            "mail_address": "2 per hour",
            "mail_client": "3 per hour",
        },
    }


@pytest.mark.usefixtures("mail_budgets")
def test_asking_again_and_again_mails_an_address_only_within_its_budget_and_still_answers_202(
    api: Callable[[Any], Any], jobs: Any, member: Any
) -> None:
    answers = {ask(api, member.email, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(5)}
    jobs.run_pending()

    assert answers == {202}
    assert len(sent_to(member.email)) == 2


@pytest.mark.usefixtures("mail_budgets")
def test_one_client_asking_for_many_addresses_is_cut_off_but_still_answered_202(
    api: Callable[[Any], Any], jobs: Any
) -> None:
    users = [make_user(f"person{n}") for n in range(5)]

    answers = {ask(api, u.email).status_code for u in users}
    jobs.run_pending()

    assert answers == {202}
    assert sum(len(sent_to(u.email)) for u in users) == 3
