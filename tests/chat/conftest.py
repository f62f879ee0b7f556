"""Chat fixtures: rooms in the persona networks.

The websocket clients (`connect`, `personas`) are shared by every suite: tests/_ws.py
and tests/conftest.py. The names below stay importable from here for the chat tests.
"""

from __future__ import annotations

import pytest

from chat.models import Room
from community.models import Network
from tests._ws import ORIGIN, Client, _close_db_connections, _token, db
from tests.factories.chat import make_room

__all__ = ["ORIGIN", "Client", "_close_db_connections", "_token", "db"]


@pytest.fixture
def public_room(public_network: Network) -> Room:
    return make_room(public_network, name="General")


@pytest.fixture
def private_room(private_network: Network) -> Room:
    return make_room(private_network, name="Cas cliniques")


@pytest.fixture
def hidden_room(hidden_network: Network) -> Room:
    return make_room(hidden_network, name="غرفة المحامين")
