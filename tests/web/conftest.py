"""Fixtures for the web pages: a signed-in Django test client per persona, and content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chat.actions import messages as chat_messages
from chat.actions import rooms as chat_rooms
from community.forums import actions as forums


@pytest.fixture
def browse(persona: Callable[[str], Any]) -> Callable[[str], Client]:
    """browse("member") → a Django test client signed in as that persona (anonymous: none)."""

    def make(name: str) -> Client:
        client = Client()
        user = persona(name)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def forum(owner: Any, member: Any, public_network: Any) -> dict[str, Any]:
    """A category with one topic (by `member`) in the public network."""
    category = forums.do_create_category(owner, public_network, name="Entraide")
    topic, first = forums.do_create_topic(member, category, "Bonjour", "Premier **message**")
    return {"category": category, "topic": topic, "post": first}


@pytest.fixture
def private_forum(owner: Any, member: Any, private_network: Any) -> dict[str, Any]:
    category = forums.do_create_category(owner, private_network, name="Cas cliniques")
    topic, first = forums.do_create_topic(member, category, "Secret médical", "Réservé")
    return {"category": category, "topic": topic, "post": first}


@pytest.fixture
def room(owner: Any, member: Any, public_network: Any) -> Any:
    room = chat_rooms.do_create_room(owner, public_network, "général")
    chat_messages.do_send_message(member, room, "Salam à tous")
    return room


@pytest.fixture
def private_room(owner: Any, private_network: Any) -> Any:
    return chat_rooms.do_create_room(owner, private_network, "garde")
