"""Bidi controls and zero-width characters in names cannot reorder or hide text (issue #11)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chat.models import Room
from community.forums.models import Category, Topic
from community.models import Network
from directory.models import Profile

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: "txt.exe" reads "exe.txt"
TRICKS = f"{RLO}Amina\u2066\u200b\u2069\u200f Benali\ufeff"


def test_a_display_name_loses_bidi_controls_and_zero_width_characters(
    api: Callable[[Any], Any], member: Any
) -> None:
    response = api(member).patch("/api/v1/profile/", {"display_name": TRICKS}, format="json")

    assert response.status_code == 200, response.content
    assert Profile.objects.get(user=member).display_name == "Amina Benali"


def test_joiners_stay_inside_emoji_and_persian_words_but_not_at_the_edges(
    api: Callable[[Any], Any], member: Any
) -> None:
    name = "\u200dمی\u200cخواهم 👩\u200d💻\u200c"

    api(member).patch("/api/v1/profile/", {"display_name": name}, format="json")

    assert Profile.objects.get(user=member).display_name == "می\u200cخواهم 👩\u200d💻"


def test_registration_cleans_the_display_name(api: Callable[[Any], Any]) -> None:
    response = api(None).post(
        "/api/v1/auth/register/",
        {
            "username": "amina",
            "email": "amina@example.ma",
            "password": "Argan-Oil-2024",
            "display_name": TRICKS,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Profile.objects.get(user_id=response.json()["id"]).display_name == "Amina Benali"


def test_network_room_category_and_topic_names_lose_bidi_controls(
    api: Callable[[Any], Any], staff: Any, public_network: Network, owner: Any
) -> None:
    created = api(staff).post(
        "/api/v1/networks/",
        {"name": TRICKS, "slug": "tricks", "kind": "thematic", "theme": "t", "description": ""},
        format="json",
    )
    api(owner).patch(f"/api/v1/networks/{public_network.slug}/", {"name": TRICKS}, format="json")
    room = api(owner).post(
        f"/api/v1/networks/{public_network.slug}/rooms/", {"name": TRICKS}, format="json"
    )
    category = api(owner).post(
        f"/api/v1/networks/{public_network.slug}/categories/", {"name": TRICKS}, format="json"
    )
    assert category.status_code == 201, category.content
    topic = api(owner).post(
        f"/api/v1/networks/{public_network.slug}/categories/{category.json()['id']}/topics/",
        {"title": TRICKS, "body": "hello"},
        format="json",
    )

    assert created.status_code == 201, created.content
    assert Network.objects.get(slug="tricks").name == "Amina Benali"
    assert Network.objects.get(pk=public_network.pk).name == "Amina Benali"
    assert room.status_code == 201, room.content
    assert Room.objects.get(pk=room.json()["id"]).name == "Amina Benali"
    assert Category.objects.get(pk=category.json()["id"]).name == "Amina Benali"
    assert topic.status_code == 201, topic.content
    assert Topic.objects.get(pk=topic.json()["id"]).title == "Amina Benali"


def test_a_name_of_only_invisible_characters_is_refused_as_blank(
    api: Callable[[Any], Any], owner: Any, public_network: Network
) -> None:
    response = api(owner).post(
        f"/api/v1/networks/{public_network.slug}/rooms/", {"name": "\u200b\u202e"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert not Room.objects.filter(network=public_network, name__contains="\u202e").exists()
