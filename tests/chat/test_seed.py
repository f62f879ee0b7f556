"""The chat seed step: rooms and multilingual conversations, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from chat.models import Message, Reaction, Room, RoomEvent
from chat.seed import seed_chat
from community.models import Network
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def test_seed_makes_rooms_and_conversations_once(
    public_network: Network, owner: Any, moderator: Any, member: Any
) -> None:
    people = [owner, moderator, member, make_user("amina")]
    from tests.factories.networks import add_member

    add_member(public_network, people[3])
    made_rooms, sent = seed_chat([public_network], {"germany": people})
    assert made_rooms == 3 and sent > 10
    assert Room.objects.filter(network=public_network).count() == 3
    assert Room.objects.filter(kind=Room.Kind.DIRECT).count() == 1
    bodies = " ".join(Message.objects.values_list("body", flat=True))
    for words in ("السلام عليكم", "Ravi de vous retrouver", "Hello everyone"):
        assert words in bodies
    assert Reaction.objects.exists()
    announcements = Room.objects.get(network=public_network, posting=Room.Posting.MODERATORS)
    authors = set(Message.objects.filter(room=announcements).values_list("author", flat=True))
    assert authors and authors <= {owner.pk, moderator.pk}
    # Every message has its room event: the log replays the seeded history.
    assert RoomEvent.objects.filter(type="message.new").count() == Message.objects.count()
    assert seed_chat([public_network], {"germany": people}) == (0, 0)
