"""Subscribing to a room over /ws/: who may (per persona), the replay and what it costs."""

from __future__ import annotations

from typing import Any

import pytest

from chat.actions import messages, rooms
from chat.models import Message, Room
from realtime import consumers
from realtime.hub import get_hub
from tests._queries import AllQueries
from tests._ws import db
from tests.factories.chat import make_room, send

pytestmark = pytest.mark.django_db(transaction=True)

READERS = ["owner", "moderator", "member", "staff"]
NON_READERS = ["pending", "banned", "outsider"]


# --- subscribing: access per persona --------------------------------------------------------


async def test_private_room_subscription_per_persona(
    connect: Any, personas: dict[str, Any], private_room: Room, member: Any
) -> None:
    clients = {name: await connect(user) for name, user in personas.items()}
    for client in clients.values():
        await client.send(type="subscribe", room=private_room.pk, after_seq=0)
    for name, client in clients.items():
        if name in READERS:
            assert await client.expect("subscribed") == {
                "type": "subscribed",
                "room": private_room.pk,
                "seq": 0,
                "events": [],
                "has_more": False,
                "unread": 0,
            }
        else:
            error = await client.expect("error")
            assert (error["code"], error["ref"]) == ("not_found", "subscribe"), name
    await db(send)(member, private_room, "confidentiel")
    for name, client in clients.items():
        if name in READERS:
            assert (await client.expect("message.new"))["message"]["body"] == "confidentiel"
        else:
            assert await client.nothing(0.2), name


async def test_public_rooms_are_readable_by_any_signed_in_user(
    connect: Any, personas: dict[str, Any], public_room: Room, member: Any
) -> None:
    readers = ["owner", "moderator", "member", "outsider", "staff", "pending"]
    clients = {name: await connect(personas[name]) for name in readers}
    for client in clients.values():
        await client.subscribe(public_room)
    await db(send)(member, public_room, "hello Germany")
    for client in clients.values():
        assert (await client.expect("message.new"))["message"]["body"] == "hello Germany"


async def test_banned_member_of_public_network_is_told_so(
    connect: Any, banned: Any, public_room: Room
) -> None:
    client = await connect(banned)
    await client.send(type="subscribe", room=public_room.pk)
    assert (await client.expect("error"))["code"] == "banned"


async def test_outsider_of_hidden_room_gets_nothing(
    connect: Any, outsider: Any, member: Any, hidden_room: Room
) -> None:
    spy = await connect(outsider)
    await spy.send(type="subscribe", room=hidden_room.pk)
    assert (await spy.expect("error"))["code"] == "not_found"
    insider = await connect(member)
    await insider.subscribe(hidden_room)
    await insider.send(type="message.send", room=hidden_room.pk, body="سري", client_id="s")
    await insider.expect("message.new")
    await insider.send(type="typing", room=hidden_room.pk)
    assert await spy.nothing(0.4)


async def test_sending_per_persona(
    connect: Any, personas: dict[str, Any], private_room: Room
) -> None:
    expected = {
        "owner": None,
        "moderator": None,
        "member": None,
        "staff": "not_member",  # staff read every network; only members post
        "pending": "not_found",
        "banned": "not_found",
        "outsider": "not_found",
    }
    for name, error_code in expected.items():
        client = await connect(personas[name])
        await client.send(
            type="message.send", room=private_room.pk, body="Bonjour", client_id=f"p-{name}"
        )
        if error_code is None:
            assert (await client.expect("message.ack"))["client_id"] == f"p-{name}"
        else:
            error = await client.expect("error")
            assert (error["code"], error["ref"]) == (error_code, f"p-{name}")
    assert await db(Message.objects.count)() == 3


# --- replay ------------------------------------------------------------------------------------


async def test_subscribe_replays_every_kind_of_event_and_pages_with_has_more(
    connect: Any, member: Any, moderator: Any, public_room: Room, monkeypatch: Any
) -> None:
    def history() -> None:
        first = send(member, public_room, "one")
        second = send(moderator, public_room, "two")
        messages.do_edit_message(member, first, "one!")
        messages.do_add_reaction(moderator, first, "❤️")
        messages.do_delete_message(moderator, second)
        messages.do_remove_reaction(moderator, first, "❤️")
        rooms.do_mark_read(member, public_room, first.pk)

    await db(history)()
    client = await connect(member)
    subscribed = await client.subscribe(public_room, after_seq=2)
    assert subscribed["seq"] == 6 and not subscribed["has_more"]
    assert [e["type"] for e in subscribed["events"]] == [
        "message.edited",
        "reaction.added",
        "message.deleted",
        "reaction.removed",
    ]
    assert subscribed["unread"] == 0
    monkeypatch.setattr(consumers, "REPLAY_LIMIT", 4)
    paged = await client.subscribe(public_room, after_seq=0)
    assert [e["seq"] for e in paged["events"]] == [1, 2, 3, 4] and paged["has_more"]
    latest = await client.subscribe(public_room)
    assert latest["events"] == [] and latest["seq"] == 6


async def test_subscribe_costs_at_most_three_queries(
    connect: Any, member: Any, moderator: Any, public_room: Room
) -> None:
    """The room with its network (access), the room's seq with the unread count, and the
    missed events when there are any: whatever the number of messages or events."""
    await db(lambda: [send(moderator, public_room, f"m{i}") for i in range(30)])()
    client = await connect(member)
    with AllQueries() as up_to_date:
        subscribed = await client.subscribe(public_room)
    assert subscribed["unread"] == 30 and subscribed["events"] == []
    with AllQueries() as behind:
        subscribed = await client.subscribe(public_room, after_seq=10)
    assert len(subscribed["events"]) == 20
    assert (up_to_date.count, behind.count) == (2, 3), up_to_date.sql + behind.sql


async def test_too_many_subscriptions(
    connect: Any, member: Any, public_room: Room, monkeypatch: Any
) -> None:
    monkeypatch.setattr(consumers, "MAX_SUBSCRIPTIONS", 1)
    other = await db(make_room)(public_room.network)
    client = await connect(member)
    await client.subscribe(public_room)
    await client.send(type="subscribe", room=other.pk)
    assert (await client.expect("error"))["code"] == "too_many_subscriptions"
    await client.subscribe(public_room)  # resubscribing to a watched room is fine


async def test_a_resubscribe_starts_the_room_over_in_this_process(
    connect: Any, member: Any, public_room: Room
) -> None:
    """A client resubscribes when it saw a gap; if it was the room's only watcher in the
    process, the process's state of the room (its last seq, what it was filling) goes
    too, and the room starts again from the database: a wedged state cannot outlive it."""
    client = await connect(member)
    await client.subscribe(public_room)
    before = get_hub().rooms.states[public_room.pk]
    await client.subscribe(public_room, after_seq=0)
    after = get_hub().rooms.states[public_room.pk]
    assert after is not before
    assert len(after.subs) == 1
