"""Rooms and messages, created through the real chat actions."""

from __future__ import annotations

import itertools
from typing import Any

from chat.actions import messages, rooms
from chat.models import Message, Room
from community.models import Network

_counter = itertools.count(1)


def make_room(network: Network, *, by: Any = None, **fields: Any) -> Room:
    """A channel room created by `by` (default: the network's creator, its owner)."""
    n = next(_counter)
    actor = by or network.created_by
    return rooms.do_create_room(
        actor,
        network,
        fields.pop("name", f"Room {n}"),
        fields.pop("topic", None),
        fields.pop("posting", None),
    )


def make_direct_room(user: Any, other: Any) -> Room:
    return rooms.do_open_direct_room(user, other.pk).room


def send(user: Any, room: Room, body: str = "Salam", client_id: str | None = None) -> Message:
    return messages.do_send_message(user, room, body, client_id).message
