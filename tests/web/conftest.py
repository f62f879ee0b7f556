"""Fixtures for the web pages: a signed-in Django test client per persona, and content;
for the browser tests, the live server and chromium (tests/web/browser.py) and a check
that no page they opened went wrong."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from chat.actions import messages as chat_messages
from chat.actions import rooms as chat_rooms
from community.forums import actions as forums
from tests.web.browser import PROBLEMS, browser, server  # noqa: F401 (fixtures)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_problems(*patterns): browser problems (tests/web/browser.py) this test "
        "provokes on purpose, as regular expressions",
    )


@pytest.fixture(autouse=True)
def page_problems(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose pages broke their policy, logged an error or had a request fail,
    but for what it allows (`allow_problems`)."""
    PROBLEMS.clear()
    yield
    marker = request.node.get_closest_marker("allow_problems")
    allowed = [re.compile(p) for p in (marker.args if marker else ())]
    left = [p for p in PROBLEMS if not any(a.search(p) for a in allowed)]
    assert left == [], "the pages went wrong:\n" + "\n".join(dict.fromkeys(left))


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
