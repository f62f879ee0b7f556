"""Realtime fixtures: the chat rooms and forum topics the sockets watch.

The websocket clients (`connect`, `personas`) are shared by every suite: tests/_ws.py
and tests/conftest.py. The rooms and forums are the chat and forum suites' own.
"""

from __future__ import annotations

import pytest

from tests.chat.conftest import hidden_room, private_room, public_room
from tests.forums.conftest import Forum, hidden_forum, make_forum, private_forum, public_forum

__all__ = [
    "Forum",
    "hidden_forum",
    "hidden_room",
    "make_forum",
    "private_forum",
    "private_room",
    "public_forum",
    "public_room",
]


@pytest.fixture
def forum(kind: str, request: pytest.FixtureRequest) -> Forum:
    """The persona networks' forum of the parametrized `kind` (public, private, hidden)."""
    found: Forum = request.getfixturevalue(f"{kind}_forum")
    return found
