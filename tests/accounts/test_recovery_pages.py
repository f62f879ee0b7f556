"""The web pages of password recovery: forgot (linked from sign-in), check your mail
(the same whatever the address), the mailed link (token moved into the session, so no
Referer carries it), the new password form, in ar/fr/en."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuthToken
from tests.accounts.mailbox import link_in, sent_to
from tests.factories.users import make_user, token_for

pytestmark = pytest.mark.django_db

NEW = "Zitoun-Tree-2031"


def without_csrf(content: bytes) -> str:
    return re.sub(r'csrfmiddlewaretoken" value="\w+"', "", content.decode())


def mailed_path(browser: Client, jobs: Any, email: str) -> str:
    browser.post("/account/password/forgot/", {"email": email})
    jobs.run_pending()
    [message] = sent_to(email)
    return link_in(message, "/account/password/reset/")


def test_the_sign_in_page_links_to_forgot_password(client: Any) -> None:
    assert "/account/password/forgot/" in client.get("/signin/").content.decode()


def test_forgot_password_leads_to_the_same_page_for_a_known_and_an_unknown_address(
    jobs: Any, member: Any
) -> None:
    known = Client().post("/account/password/forgot/", {"email": member.email}, follow=True)
    unknown = Client().post("/account/password/forgot/", {"email": "no@example.org"}, follow=True)
    jobs.run_pending()

    assert (
        known.redirect_chain == unknown.redirect_chain == [("/account/password/forgot/sent/", 302)]
    )
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert len(sent_to(member.email)) == 1


def test_a_malformed_address_is_shown_next_to_the_field(client: Any) -> None:
    response = client.post("/account/password/forgot/", {"email": "not an address"})

    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_the_mailed_link_moves_its_token_into_the_session_then_sets_the_password(
    jobs: Any, member: Any
) -> None:
    browser = Client()
    other_device = Client()
    other_device.force_login(member)
    token_for(member)
    path = mailed_path(browser, jobs, member.email)
    token = path.rstrip("/").rsplit("/", 1)[-1]

    opened = browser.get(path)
    form = browser.get(opened["Location"])
    done = browser.post(
        opened["Location"], {"new_password": NEW, "new_password_again": NEW}, follow=True
    )

    assert opened.status_code == 302
    assert token not in opened["Location"]
    assert opened["Location"].endswith("/set-password/")
    assert form.status_code == 200
    assert token not in form.content.decode()
    assert done.redirect_chain[-1][0] == "/signin/"
    assert "Your password is changed" in done.content.decode()
    member.refresh_from_db()
    assert member.check_password(NEW)
    # Every other session and token ended; the link is spent.
    assert other_device.get("/account/").status_code == 302
    assert not AuthToken.objects.filter(user=member).exists()
    assert browser.get(path).status_code == 400


def test_two_different_passwords_are_refused_next_to_the_second_field(
    jobs: Any, member: Any
) -> None:
    browser = Client()
    opened = browser.get(mailed_path(browser, jobs, member.email))

    response = browser.post(
        opened["Location"], {"new_password": NEW, "new_password_again": NEW + "x"}
    )

    assert "new_password_again" in response.context["form"].errors
    member.refresh_from_db()
    assert not member.check_password(NEW)


def test_a_weak_password_is_refused_next_to_its_field(jobs: Any, member: Any) -> None:
    browser = Client()
    opened = browser.get(mailed_path(browser, jobs, member.email))

    response = browser.post(
        opened["Location"], {"new_password": "12345678", "new_password_again": "12345678"}
    )

    assert response.status_code == 200
    assert "new_password" in response.context["form"].errors


def test_the_set_password_page_without_a_token_in_the_session_says_the_link_no_longer_works(
    jobs: Any, member: Any
) -> None:
    path = mailed_path(Client(), jobs, member.email)
    stranger = Client()

    response = stranger.get(path.rsplit("/", 2)[0] + "/set-password/")
    posted = stranger.post(
        path.rsplit("/", 2)[0] + "/set-password/",
        {"new_password": NEW, "new_password_again": NEW},
    )

    assert response.status_code == posted.status_code == 400
    assert "This link no longer works" in response.content.decode()
    member.refresh_from_db()
    assert not member.check_password(NEW)


def test_a_tampered_reset_link_is_the_no_longer_works_page(jobs: Any, member: Any) -> None:
    path = mailed_path(Client(), jobs, member.email)

    response = Client().get(path[:-3] + "zz/")

    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title", "direction"),
    [
        ("ar", "هل نسيت كلمة المرور؟", 'dir="rtl"'),
        ("fr", "Mot de passe oublié ?", 'dir="ltr"'),
        ("en", "Forgot your password?", 'dir="ltr"'),
    ],
)
def test_the_recovery_pages_speak_the_readers_language(
    jobs: Any, language: str, title: str, direction: str
) -> None:
    browser = Client()
    browser.cookies["django_language"] = language
    user = make_user(f"reader{language}")

    forgot = browser.get("/account/password/forgot/").content.decode()
    sent = browser.post(
        "/account/password/forgot/", {"email": user.email}, follow=True
    ).content.decode()
    invalid = browser.get("/account/verify/MQ/nope/").content.decode()

    assert title in forgot
    assert direction in forgot
    for page in (sent, invalid):
        assert f'lang="{language}"' in page
    if language != "en":
        assert "Check your mail" not in sent
        assert "This link no longer works" not in invalid
