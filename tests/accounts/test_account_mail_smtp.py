"""Each kind of account mail over a real SMTP server (tests/_smtp.py): it arrives with a
text and an HTML part and its headers, in the recipient's language (Arabic right to
left), and the link parsed out of it works when followed in the test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.actions import do_set_ui_language
from accounts.identity import email_verified
from accounts.recovery import do_queue_password_reset
from core.names import email_key
from mailer.models import Mail
from tests._smtp import html_part, text_part
from tests.accounts.mailbox import link_in
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

NEW = "Zitoun-Tree-2031"


def assert_headers(message: Any, to: str, language: str) -> None:
    assert message["To"] == to
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Content-Language"] == language
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == Mail.objects.get(to_address=to).message_id
    # Account mail is not a subscription: no unsubscribe headers.
    assert message["List-Unsubscribe"] is None


def test_a_reset_mail_in_arabic_arrives_right_to_left_and_its_link_sets_the_password(
    smtp_sink: Any, jobs: Any
) -> None:
    user = make_user("amina")
    do_set_ui_language(user, "ar")
    browser = Client()

    browser.post("/account/password/forgot/", {"email": user.email})
    jobs.run_pending()
    [message] = smtp_sink.wait_for(1)

    assert_headers(message, user.email, "ar")
    # (Python's parser keeps the space before a folded encoded word: not part of the text.)
    assert message["Subject"].strip() == "إعادة تعيين كلمة مرورك على شبكة"
    assert 'dir="rtl"' in html_part(message)
    assert 'lang="ar"' in html_part(message)
    assert "مرحبًا amina،" in text_part(message)
    path = link_in(message, "/account/password/reset/")
    assert f'href="{settings.SITE_URL}{path}"' in html_part(message)
    opened = browser.get(path)
    done = browser.post(opened["Location"], {"new_password": NEW, "new_password_again": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_verification_mail_in_french_arrives_left_to_right_and_its_link_verifies(
    smtp_sink: Any, jobs: Any
) -> None:
    browser = Client()
    browser.cookies["django_language"] = "fr"

    browser.post(
        "/signup/",
        {"username": "leila", "email": "leila@example.fr", "password": "a long passphrase 42"},
    )
    jobs.run_pending()
    [message] = smtp_sink.wait_for(1)

    assert_headers(message, "leila@example.fr", "fr")
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    assert 'dir="ltr"' in html_part(message)
    assert "Bonjour leila," in text_part(message)
    page = Client().get(link_in(message, "/account/verify/"))
    assert page.status_code == 200
    assert email_verified(get_user_model().objects.get(username="leila"))


def test_the_owner_of_a_taken_address_gets_an_english_note_whose_link_resets(
    smtp_sink: Any, jobs: Any, api: Any
) -> None:
    owner = make_user("owner.en")
    do_set_ui_language(owner, "en")

    api(None).post(
        "/api/v1/auth/register/",
        {"username": "impostor", "email": owner.email, "password": "Argan-Oil-2024"},
        format="json",
    )
    jobs.run_pending()
    [message] = smtp_sink.wait_for(1)

    assert_headers(message, owner.email, "en")
    assert message["Subject"] == "Someone tried to register with your address"
    assert "No new account was made." in text_part(message)
    assert "No new account was made." in html_part(message)
    path = link_in(message, "/account/password/reset/")
    browser = Client()
    opened = browser.get(path)
    assert opened.status_code == 302
    assert browser.get(opened["Location"]).status_code == 200


def test_a_mail_queued_before_the_address_changed_is_not_sent_to_the_old_one(
    smtp_sink: Any, jobs: Any
) -> None:
    user = make_user("mover")
    # The reset request's look-up queued the mail; the address changes before delivery.
    do_queue_password_reset(email_key(user.email) or "")
    user.email = "mover@new.example"
    user.save()
    jobs.run_pending()

    assert smtp_sink.messages == []
    assert set(Mail.objects.values_list("status", flat=True)) == {Mail.Status.SKIPPED}
