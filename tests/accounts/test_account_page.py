"""The account page lists a person's signed-in devices (API tokens) and revokes each."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories.users import client_for

pytestmark = pytest.mark.django_db

PAGE = "/account/"
PASSWORD = "correct horse battery staple"
ME = "/api/v1/profile/"


def sign_in(user: Any, agent: str) -> str:
    response = client_for(None).post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT=agent,
    )
    return str(response.json()["token"])


def works(key: str) -> bool:
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return bool(client.get(ME).status_code == 200)


def browser_of(user: Any, language: str = "en") -> Client:
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(user)
    return browser


def revoke_forms(html: str) -> list[str]:
    return re.findall(r'action="(/account/tokens/\d+/revoke/)"', html)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_account_page_lists_your_devices_and_nobody_elses(member: Any, outsider: Any) -> None:
    sign_in(member, "Shabaka-Android/2.1 (Pixel 8)")
    sign_in(member, "Mozilla/5.0 (iPad; CPU OS 17_0)")
    sign_in(outsider, "Outsider-Phone/1.0")

    page = browser_of(member).get(PAGE)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Pixel 8" in html and "iPad" in html
    assert "Outsider-Phone" not in html
    assert len(revoke_forms(html)) == 2


def test_the_account_page_needs_signing_in(db: Any) -> None:
    page = Client().get(PAGE)

    assert page.status_code == 302 and page["Location"].startswith("/signin/")


def test_revoking_a_device_from_the_page_signs_it_out(member: Any) -> None:
    phone = sign_in(member, "Shabaka-Android/2.1 (Pixel 8)")
    browser = browser_of(member)
    html = browser.get(PAGE).content.decode()
    (action,) = revoke_forms(html)

    revoked = browser.post(action, {"csrfmiddlewaretoken": csrf_of(html)})

    assert revoked.status_code == 302 and revoked["Location"] == PAGE
    assert not works(phone)
    after = browser.get(revoked["Location"]).content.decode()
    assert "Pixel 8" not in after and "signed out" in after


def test_revoking_without_the_csrf_token_is_refused(member: Any) -> None:
    phone = sign_in(member, "Shabaka-Android/2.1 (Pixel 8)")
    browser = browser_of(member)
    (action,) = revoke_forms(browser.get(PAGE).content.decode())

    refused = browser.post(action)

    assert refused.status_code == 403
    assert works(phone)


def test_nobody_revokes_another_persons_device(member: Any, outsider: Any) -> None:
    theirs = sign_in(outsider, "Outsider-Phone/1.0")
    (action,) = revoke_forms(browser_of(outsider).get(PAGE).content.decode())
    browser = browser_of(member)
    token = csrf_of(browser.get(PAGE).content.decode())

    refused = browser.post(action, {"csrfmiddlewaretoken": token})

    assert refused.status_code == 404
    assert works(theirs)


@pytest.mark.parametrize(
    ("language", "title", "confirm"),
    [
        ("fr", "Appareils connectés", "Déconnecter cet appareil ?"),
        ("ar", "الأجهزة المتصلة", "هل تريد تسجيل خروج هذا الجهاز؟"),
        ("en", "Signed-in devices", "Sign this device out?"),
    ],
)
def test_the_page_and_its_confirmation_are_in_the_readers_language(
    member: Any, language: str, title: str, confirm: str
) -> None:
    sign_in(member, "Shabaka-Android/2.1 (Pixel 8)")

    html = browser_of(member, language).get(PAGE).content.decode()

    assert title in html
    assert f'data-confirm="{confirm}"' in html
