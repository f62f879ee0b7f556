"""The account pages: sign up, sign in and out, and the interface language that follows
the person (accounts/web.py).

Each flow asserts the rows the shared actions wrote and that refusals come back next
to the form fields, in the reader's language.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def french() -> Client:
    client = Client()
    client.cookies["django_language"] = "fr"
    return client


def test_sign_up_creates_the_account_and_signs_in(db):
    client = Client()
    response = client.post(
        "/signup/",
        {"username": "leila", "email": "leila@example.org", "password": "a long passphrase 42"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="leila")
    assert user.profile is not None
    assert client.get("/").context["user"] == user


def test_sign_up_errors_stand_next_to_their_field_in_french(member):
    response = french().post(
        "/signup/", {"username": "member", "email": "not-an-email", "password": "123"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    body = response.content.decode()
    assert 'id="id_email_errors"' in body
    assert "Saisissez une adresse e-mail valide" in body  # Django's own French catalog


def test_taken_username_is_reported_on_the_username_field_in_french(member):
    response = french().post(
        "/signup/",
        {"username": "member", "email": "new@example.org", "password": "a long passphrase 42"},
    )
    assert response.context["form"].errors["username"] == ["Ce nom d'utilisateur est déjà pris."]


def test_weak_password_is_refused_next_to_the_password_field(db):
    response = Client().post(
        "/signup/", {"username": "leila", "email": "l@example.org", "password": "password"}
    )
    assert "password" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="leila").exists()


def test_wrong_password_shows_an_error_and_no_session(member):
    client = Client()
    response = client.post("/signin/", {"username": "member", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_sign_in_goes_where_the_visitor_was_going_but_never_off_site(member):
    client = Client()
    ok = client.post(
        "/signin/?next=/networks/",
        {"username": "member", "password": "correct horse battery staple"},
    )
    assert ok["Location"] == "/networks/"
    client.logout()
    evil = client.post(
        "/signin/?next=https://evil.example/",
        {"username": "member", "password": "correct horse battery staple"},
    )
    assert evil["Location"] == "/"


def test_language_switch_sets_lang_and_dir_and_is_remembered(member):
    client = Client()
    client.force_login(member)
    response = client.post("/language/", {"language": "ar", "next": "/networks/"})
    assert response["Location"] == "/networks/"
    assert response.cookies["django_language"].value == "ar"
    body = client.get("/networks/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "الشبكات" in body
    client.post("/language/", {"language": "fr"})
    assert '<html lang="fr" dir="ltr">' in client.get("/").content.decode()


def test_language_switch_refuses_unknown_languages(member):
    assert Client().post("/language/", {"language": "xx"}).status_code == 400


def test_sign_out_keeps_the_chosen_language(member):
    client = Client()
    client.force_login(member)
    client.post("/language/", {"language": "fr"})
    client.post("/signout/")
    assert "_auth_user_id" not in client.session
    assert '<html lang="fr" dir="ltr">' in client.get("/").content.decode()


def test_the_chosen_language_follows_the_person_to_another_device(member):
    laptop = Client()
    laptop.force_login(member)
    laptop.post("/language/", {"language": "ar"})
    member.profile.refresh_from_db()
    assert member.profile.ui_language == "ar"

    phone = Client()  # no cookie yet: English
    assert '<html lang="en" dir="ltr">' in phone.get("/").content.decode()
    signed_in = phone.post(
        "/signin/", {"username": "member", "password": "correct horse battery staple"}
    )
    assert signed_in.cookies["django_language"].value == "ar"
    assert '<html lang="ar" dir="rtl">' in phone.get("/").content.decode()

    tablet = Client()  # French chosen on this device before signing in: that choice stands
    tablet.cookies["django_language"] = "fr"
    tablet.post("/signin/", {"username": "member", "password": "correct horse battery staple"})
    assert '<html lang="fr" dir="ltr">' in tablet.get("/").content.decode()


def test_signing_up_remembers_the_language_the_page_was_in(db):
    from django.contrib.auth import get_user_model

    client = Client()
    client.cookies["django_language"] = "fr"
    client.post(
        "/signup/",
        {"username": "nadia", "email": "nadia@example.org", "password": "a long passphrase 42"},
    )
    assert get_user_model().objects.get(username="nadia").profile.ui_language == "fr"
