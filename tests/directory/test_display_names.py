"""Country and language names in the page's language (CLDR through ICU), never a raw
code or an English name on a French or Arabic page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from directory.display_names import country_choices, country_name, language_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "morocco", "tamazight", "darija"),
    [
        ("fr", "Maroc", "Amazighe standard marocain", "Arabe marocain"),
        ("ar", "المغرب", "التمازيغية المغربية القياسية", "الدارجة المغربية"),
        ("en", "Morocco", "Standard Moroccan Tamazight", "Moroccan Arabic"),
    ],
)
def test_names_in_each_language(language: str, morocco: str, tamazight: str, darija: str) -> None:
    assert country_name("ma", language) == morocco
    assert language_name("zgh", language) == tamazight
    assert language_name("ary", language) == darija


def test_countries_are_in_the_languages_alphabetical_order() -> None:
    french = [name for _code, name in country_choices("fr")]
    assert french.index("Afrique du Sud") < french.index("Albanie") < french.index("Égypte")
    assert french.index("Égypte") < french.index("Espagne")  # accents sort as their letter
    assert len(french) == len(set(code for code, _ in country_choices("ar")))


def _french(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "fr"
    client.force_login(user)
    return client


def test_the_profile_editor_and_page_name_countries_and_languages_in_french(
    member: Any, public_network: Any
) -> None:
    from directory.actions import do_update_profile

    do_update_profile(member, member, {"country": "DE", "languages": ["ar", "zgh", "fr"]})
    client = _french(member)
    editor = client.get("/profile/edit/").content.decode()
    assert '<option value="MA">Maroc</option>' in editor
    assert "Amazighe standard marocain" in editor
    assert ">Germany<" not in editor
    page = client.get(f"/people/{member.username}/").content.decode()
    assert ">Allemagne<" in page and "Amazighe standard marocain" in page
    assert ">zgh<" not in page


def test_directory_filters_name_languages_not_codes(
    member: Any, public_network: Any, database_only: Any
) -> None:
    """The page is under test, not the backend: the database one sees changes at once."""
    from directory.actions import do_update_profile

    do_update_profile(member, member, {"country": "CA", "languages": ["zgh"]})
    page = _french(member).get("/directory/").content.decode()
    assert "Amazighe standard marocain" in page
    assert ">zgh<" not in page
