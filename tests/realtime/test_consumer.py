"""The /ws/ consumer on the real ASGI application: connecting, every client frame, bad
frames and abuse, idempotent sends."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from chat.models import Message, Room, RoomEvent
from community.models import Network
from realtime import consumers, frames
from tests._ws import ORIGIN, _token, db
from tests.factories.chat import make_direct_room, send

pytestmark = pytest.mark.django_db(transaction=True)

# --- connecting -------------------------------------------------------------------------


async def test_anonymous_and_bad_tokens_are_refused(connect: Any) -> None:
    for headers in (
        [ORIGIN],
        [ORIGIN, (b"authorization", b"Token not-a-real-token")],
        [ORIGIN, (b"authorization", b"Bearer x")],
    ):
        await connect(None, headers=headers, expect_accept=False)


async def test_foreign_origin_is_refused(connect: Any, member: Any) -> None:
    key = await db(_token)(member)
    auth = (b"authorization", f"Token {key}".encode())
    await connect(member, headers=[(b"origin", b"https://evil.example"), auth], expect_accept=False)
    await connect(member, headers=[auth], expect_accept=False)  # no Origin at all
    await connect(member, headers=[ORIGIN, auth])


async def test_ping_pong(connect: Any, member: Any) -> None:
    client = await connect(member)
    await client.send(type="ping")
    assert await client.expect("pong") == {"type": "pong"}


# --- every client frame ------------------------------------------------------------------------


async def test_send_acks_and_fans_out_to_every_subscriber(
    connect: Any, member: Any, moderator: Any, owner: Any, public_room: Room
) -> None:
    sender = await connect(member)
    watchers = [await connect(moderator), await connect(owner)]
    for client in [sender, *watchers]:
        await client.subscribe(public_room)
    await sender.send(
        type="message.send", room=public_room.pk, body="*Salam*", client_id="x1", reply_to=None
    )
    ack = await sender.expect("message.ack")
    frames = [await client.expect("message.new") for client in [sender, *watchers]]
    assert all(frame == frames[0] for frame in frames)
    message = frames[0]["message"]
    assert ack == {"type": "message.ack", "client_id": "x1", "id": message["id"]}
    assert frames[0]["seq"] == 1
    assert message["author"] == {
        "id": member.pk,
        "username": "member",
        "display_name": "Member",
        "avatar": None,
    }
    assert message["body_html"] == '<p dir="auto"><em>Salam</em></p>\n'
    assert message["client_id"] == "x1" and message["reply_to"] is None


async def test_edit_delete_and_reactions_reach_subscribers(
    connect: Any, member: Any, moderator: Any, public_room: Room
) -> None:
    author = await connect(member)
    watcher = await connect(moderator)
    await watcher.subscribe(public_room)
    await author.send(type="message.send", room=public_room.pk, body="v1", client_id="e1")
    message_id = (await author.expect("message.ack"))["id"]
    await author.send(type="message.edit", id=message_id, body="v2")
    edited = await watcher.expect("message.edited")
    assert edited["message"]["body"] == "v2" and edited["message"]["edited_at"]
    await watcher.send(type="reaction.add", message=message_id, emoji="👏")
    added = await watcher.expect("reaction.added")
    assert (added["message"], added["emoji"], added["user"]["id"]) == (
        message_id,
        "👏",
        moderator.pk,
    )
    await watcher.send(type="reaction.remove", message=message_id, emoji="👏")
    assert (await watcher.expect("reaction.removed"))["emoji"] == "👏"
    await author.send(type="message.delete", id=message_id)
    deleted = await watcher.expect("message.deleted")
    assert deleted["message"]["deleted"] and deleted["message"]["body"] == ""
    assert [f["seq"] for f in (edited, added, deleted)] == [2, 3, 5]


async def test_others_cannot_edit_and_members_cannot_delete_others(
    connect: Any, member: Any, moderator: Any, public_room: Room
) -> None:
    message = await db(send)(moderator, public_room, "mod says")
    client = await connect(member)
    await client.send(type="message.edit", id=message.pk, body="hijack")
    assert (await client.expect("error"))["code"] == "not_author"
    await client.send(type="message.delete", id=message.pk)
    assert (await client.expect("error"))["code"] == "not_author"
    await client.send(type="message.edit", id=10**9, body="x")
    assert (await client.expect("error"))["code"] == "not_found"


async def test_unsubscribe_stops_delivery(connect: Any, member: Any, public_room: Room) -> None:
    client = await connect(member)
    await client.subscribe(public_room)
    await client.send(type="unsubscribe", room=public_room.pk)
    assert await client.expect("unsubscribed") == {"type": "unsubscribed", "room": public_room.pk}
    await db(send)(member, public_room, "after")
    assert await client.nothing(0.3)


async def test_typing_reaches_others_throttled_and_is_not_stored(
    connect: Any, member: Any, moderator: Any, outsider: Any, public_room: Room
) -> None:
    typist = await connect(member)
    other_tab = await connect(member)
    watcher = await connect(moderator)
    for client in (typist, other_tab, watcher):
        await client.subscribe(public_room)
    await typist.send(type="typing", room=public_room.pk)
    frame = await watcher.expect("typing")
    assert frame == {
        "type": "typing",
        "room": public_room.pk,
        "user": {"id": member.pk, "username": "member", "display_name": "Member", "avatar": None},
    }
    await typist.send(type="typing", room=public_room.pk)  # within the interval: dropped
    assert await watcher.nothing(0.3)
    assert await other_tab.nothing(0.1) and await typist.nothing(0.1)
    assert await db(RoomEvent.objects.count)() == 0
    reader = await connect(outsider)
    await reader.send(type="typing", room=public_room.pk)
    assert (await reader.expect("error"))["code"] == "not_member"


async def test_read_updates_unread_on_every_tab(
    connect: Any, member: Any, moderator: Any, public_room: Room
) -> None:
    sent = [await db(send)(moderator, public_room, f"m{i}") for i in range(3)]
    tab1, tab2 = await connect(member), await connect(member)
    subscribed = await tab1.subscribe(public_room)
    assert subscribed["unread"] == 3
    await tab1.send(type="read", room=public_room.pk, message_id=sent[1].pk)
    for tab in (tab1, tab2):
        assert await tab.expect("unread") == {"type": "unread", "room": public_room.pk, "count": 1}
    await tab1.send(type="read", room=public_room.pk, message_id=10**9)
    assert (await tab1.expect("error"))["code"] == "invalid"


async def test_unread_is_pushed_to_members_not_watching_the_room(
    connect: Any, member: Any, moderator: Any, outsider: Any, public_room: Room
) -> None:
    away = await connect(member)
    reader = await connect(outsider)  # may read a public room but is not a member
    await db(send)(moderator, public_room, "one")
    await db(send)(moderator, public_room, "two")
    assert await away.expect("unread", wait=2) == {
        "type": "unread",
        "room": public_room.pk,
        "count": 2,
    }
    assert await reader.nothing(0.4)


async def test_direct_room_frames_and_unread(
    connect: Any, member: Any, moderator: Any, owner: Any, public_network: Network
) -> None:
    room = await db(make_direct_room)(member, moderator)
    writer, peer, third = await connect(member), await connect(moderator), await connect(owner)
    await writer.subscribe(room)
    await third.send(type="subscribe", room=room.pk)
    assert (await third.expect("error"))["code"] == "not_found"
    await writer.send(type="message.send", room=room.pk, body="salut", client_id="d1")
    await writer.expect("message.new")
    assert (await peer.expect("unread")) == {"type": "unread", "room": room.pk, "count": 1}
    await peer.subscribe(room, after_seq=0)
    assert await third.nothing(0.2)


# --- limits ------------------------------------------------------------------------------------


async def test_bad_frames_get_errors_and_the_socket_stays_open(
    connect: Any, member: Any, public_room: Room
) -> None:
    client = await connect(member)
    cases: list[tuple[Any, str]] = [
        ("x" * (16 * 1024 + 1), "frame_too_large"),
        (json.dumps({"type": "message.send", "body": "é" * 9000}), "frame_too_large"),
        ("{not json", "malformed_json"),
        ("[1, 2]", "invalid_frame"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (json.dumps({"type": "subscribe"}), "missing_field"),
        (json.dumps({"type": "subscribe", "room": "1"}), "invalid_field"),
        (json.dumps({"type": "subscribe", "room": True}), "invalid_field"),
        (json.dumps({"type": "subscribe", "room": -3}), "invalid_field"),
        (
            json.dumps({"type": "message.send", "room": public_room.pk, "body": "x"}),
            "missing_field",
        ),
        (
            json.dumps(
                {"type": "message.send", "room": public_room.pk, "body": "", "client_id": "e"}
            ),
            "invalid",
        ),
        (json.dumps({"type": "reaction.add", "message": 1}), "missing_field"),
    ]
    for raw, code in cases:
        await client.ws.send_to(text_data=raw)
        error = await client.expect("error")
        assert error["code"] == code, raw[:80]
    await client.ws.send_to(bytes_data=b"\x00")
    assert (await client.expect("error"))["code"] == "binary_frame"
    await client.send(type="ping")
    await client.expect("pong")


async def test_poisoned_text_and_deep_nesting_get_error_frames_and_write_nothing(
    connect: Any, member: Any, public_room: Room
) -> None:
    """Issue #11: a lone surrogate in `type`, `client_id` or `body` closed the socket with
    1011; a NUL in a body was stored on SQLite (a 1011 on PostgreSQL)."""
    client = await connect(member)
    send = '{"type": "message.send", "room": %d, "body": %s, "client_id": %s}'
    room = public_room.pk
    cases = [
        ('{"type": "\\ud800"}', "invalid_text"),
        (send % (room, '"hello"', '"\\ud800"'), "invalid_text"),
        (send % (room, '"\\udfff"', '"c1"'), "invalid_text"),
        (send % (room, '"a\\u0000b"', '"c2"'), "invalid_text"),
        ('{"type": "ping", "\\ud800": 1}', "invalid_text"),
        ('{"type": "ping", "pad": ' + "[" * 8000 + "]" * 8000 + "}", "too_deep"),
    ]
    for raw, code in cases:
        await client.ws.send_to(text_data=raw)
        error = await client.expect("error")
        assert error["code"] == code, raw[:80]
        assert "ref" not in error  # the offending text is never echoed
    await client.send(type="ping")
    await client.expect("pong")
    assert await db(Message.objects.count)() == 0


async def test_send_rate_is_limited_per_user(
    connect: Any, member: Any, public_room: Room, settings: Any
) -> None:
    budgets = {**settings.SHABAKA["BUDGETS"], "send": "3 per hour"}
    settings.SHABAKA = {**settings.SHABAKA, "BUDGETS": budgets}
    tab1, tab2 = await connect(member), await connect(member)
    for i in range(3):
        await (tab1 if i % 2 else tab2).send(
            type="message.send", room=public_room.pk, body=f"m{i}", client_id=f"r{i}"
        )
    for _ in range(2):
        await tab2.expect("message.ack")
    await tab1.expect("message.ack")
    await tab1.send(type="message.send", room=public_room.pk, body="too fast", client_id="r9")
    error = await tab1.expect("error")
    assert (error["code"], error["ref"]) == ("rate_limited", "r9")
    assert await db(Message.objects.count)() == 3
    await tab1.send(type="ping")
    await tab1.expect("pong")


async def test_repeated_abuse_closes_the_socket(connect: Any, member: Any) -> None:
    client = await connect(member)
    for _ in range(consumers.ABUSE_STRIKES):
        await client.ws.send_to(text_data="nope")
    for _ in range(consumers.ABUSE_STRIKES - 1):
        assert (await client.expect("error"))["code"] == "malformed_json"
    while True:
        output = await client.ws.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == consumers.CLOSE_ABUSE


# --- idempotency ----------------------------------------------------------------------------------


async def test_same_send_retried_five_times_gives_five_acks_and_one_message(
    connect: Any, member: Any, public_room: Room
) -> None:
    client = await connect(member)
    frame = {"type": "message.send", "room": public_room.pk, "body": "once", "client_id": "dup"}
    for _ in range(5):
        await client.send(**frame)
    acks = [await client.expect("message.ack") for _ in range(5)]
    assert len({ack["id"] for ack in acks}) == 1
    assert await db(Message.objects.count)() == 1


async def test_same_send_retried_concurrently_from_five_sockets(
    connect: Any, member: Any, moderator: Any, public_room: Room
) -> None:
    tabs = [await connect(member) for _ in range(5)]
    watcher = await connect(moderator)
    await watcher.subscribe(public_room)
    frame = {"type": "message.send", "room": public_room.pk, "body": "once", "client_id": "dup"}
    await asyncio.gather(*(tab.send(**frame) for tab in tabs))
    acks = await asyncio.gather(*(tab.expect("message.ack") for tab in tabs))
    assert len({ack["id"] for ack in acks}) == 1
    assert await db(Message.objects.count)() == 1
    await watcher.expect("message.new")
    assert await watcher.nothing(0.3)


def test_every_frame_the_consumer_handles_is_declared_with_its_fields() -> None:
    """The frame table is what the hostile suite poisons: it must be the whole vocabulary."""
    assert set(frames.CLIENT_FRAMES) == set(consumers.ChatConsumer.HANDLERS)
