"""Nothing is lost: reconnect with a seq, dropped doorbells, a failing channel layer."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from channels.layers import get_channel_layer

from chat.actions import messages
from chat.models import Message, Reaction, Room
from realtime import hub as hub_module
from tests._ws import Client, db
from tests.factories.chat import send

pytestmark = pytest.mark.django_db(transaction=True)


def reduce(frames: list[dict[str, Any]]) -> dict[str, Any]:
    """The room as a client builds it from frames: messages by id, reactions as a set.

    A deleted message has no reactions, and the log's reaction frames of a deleted
    message name no emoji: a client drops the one and skips the other.
    """
    state: dict[str, Any] = {"messages": {}, "reactions": set()}
    for frame in frames:
        kind = frame["type"]
        if kind.startswith("message."):
            message = frame["message"]
            state["messages"][message["id"]] = message
            if message["deleted"]:
                state["reactions"] = {r for r in state["reactions"] if r[0] != message["id"]}
        elif frame["emoji"] is None:
            continue
        elif kind == "reaction.added":
            state["reactions"].add((frame["message"], frame["emoji"], frame["user"]["id"]))
        elif kind == "reaction.removed":
            state["reactions"].discard((frame["message"], frame["emoji"], frame["user"]["id"]))
    return state


def database_state(room: Room) -> dict[str, Any]:
    from chat.events import message_payload

    messages_ = Message.objects.filter(room=room).select_related("author__profile")
    return {
        "messages": {m.pk: message_payload(m) for m in messages_},
        "reactions": set(
            Reaction.objects.filter(message__room=room).values_list(
                "message_id", "emoji", "user_id"
            )
        ),
    }


class Writer:
    """A deterministic mix of sends, edits, deletions and reactions by several people."""

    EMOJI = ["👍", "❤️", "🎉", "🇲🇦"]

    def __init__(self, room: Room, users: list[Any], seed: int = 7) -> None:
        self.room = room
        self.users = users
        self.random = random.Random(seed)
        self.count = 0

    def step(self) -> None:
        self.count += 1
        live = list(Message.objects.filter(room=self.room, deleted=False).select_related("room"))
        roll = self.random.random()
        user = self.random.choice(self.users)
        if not live or roll < 0.45:
            texts = ["Salam", "Bonjour à tous", "مرحبا بالجميع", "Hello **everyone**"]
            messages.do_send_message(user, self.room, f"{self.random.choice(texts)} #{self.count}")
            return
        message = self.random.choice(live)
        author = next(u for u in self.users if u.pk == message.author_id)
        if roll < 0.6:
            messages.do_edit_message(author, message, f"edited #{self.count}")
        elif roll < 0.7:
            messages.do_delete_message(author, message)
        elif roll < 0.9:
            messages.do_add_reaction(user, message, self.random.choice(self.EMOJI))
        else:
            reaction = message.reactions.first()
            if reaction is not None:
                reacter = next(u for u in self.users if u.pk == reaction.user_id)
                messages.do_remove_reaction(reacter, message, reaction.emoji)
            else:
                messages.do_add_reaction(user, message, "👍")

    def run(self, steps: int) -> int:
        for _ in range(steps):
            self.step()
        return Room.objects.get(pk=self.room.pk).seq


async def collect_until(client: Client, seq: int, wait: float = 5) -> list[dict[str, Any]]:
    """Room frames until one with `seq` arrives."""
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(wait):
        while not frames or frames[-1]["seq"] < seq:
            frame = await client.recv(wait)
            if "seq" in frame and frame["type"] != "subscribed":
                frames.append(frame)
    return frames


def assert_gapless(frames: list[dict[str, Any]], last: int) -> None:
    assert [f["seq"] for f in frames] == list(range(1, last + 1))


async def test_reconnect_with_last_seq_ends_in_the_same_state_as_a_live_client(
    connect: Any, owner: Any, moderator: Any, member: Any, public_room: Room
) -> None:
    writer = Writer(public_room, [owner, moderator, member])
    live = await connect(moderator)
    away = await connect(member)
    await live.subscribe(public_room, after_seq=0)
    await away.subscribe(public_room, after_seq=0)

    seq = await db(writer.run)(10)
    seen = await collect_until(away, seq)
    await away.close()

    seq = await db(writer.run)(200)  # while the member is away

    back = await connect(member)
    concurrent = asyncio.ensure_future(db(writer.run)(10))  # and while it resubscribes
    subscribed = await back.subscribe(public_room, after_seq=seen[-1]["seq"])
    final = await concurrent
    assert not subscribed["has_more"]
    replayed = subscribed["events"]
    if not replayed or replayed[-1]["seq"] < final:
        replayed += await collect_until(back, final)

    live_frames = await collect_until(live, final)
    assert_gapless(live_frames, final)
    assert_gapless(seen + replayed, final)
    assert reduce(seen + replayed) == reduce(live_frames) == await db(database_state)(public_room)
    assert await back.nothing(0.2, ignore={"presence", "unread"})


async def test_dropped_doorbells_are_filled_from_the_log_in_order(
    connect: Any, member: Any, moderator: Any, public_room: Room, monkeypatch: Any
) -> None:
    original = hub_module.Hub._on_room_event
    dropped: list[int] = []

    async def lossy(self: Any, room_id: int, seq: int, frame: dict[str, Any]) -> None:
        if seq in (3, 6, 10):
            dropped.append(seq)
            return
        await original(self, room_id, seq, frame)

    monkeypatch.setattr(hub_module.Hub, "_on_room_event", lossy)
    monkeypatch.setattr(hub_module, "TAIL_CHECK_SECONDS", 3600)  # the test runs it itself
    client = await connect(moderator)
    await client.subscribe(public_room)
    for i in range(10):
        await db(send)(member, public_room, f"m{i}")
    frames = await collect_until(client, 9)
    assert_gapless(frames, 9)
    assert dropped == [3, 6, 10]
    # The last event's doorbell was lost too: only the periodic tail check can notice.
    extra = await client.drain(0.2)
    assert [f for f in extra if f["type"] not in {"presence", "unread"}] == []
    await hub_module.get_hub().check_tails()
    assert (await client.expect("message.new"))["seq"] == 10


async def test_events_arriving_out_of_order_are_delivered_in_order(
    connect: Any, member: Any, public_room: Room, monkeypatch: Any
) -> None:
    original = hub_module.Hub._on_room_event
    held: list[tuple[Any, int, int, dict[str, Any]]] = []

    async def reorder(self: Any, room_id: int, seq: int, frame: dict[str, Any]) -> None:
        if seq == 2:
            held.append((self, room_id, seq, frame))
            return
        await original(self, room_id, seq, frame)
        if seq == 3:
            await original(*held.pop())

    monkeypatch.setattr(hub_module.Hub, "_on_room_event", reorder)
    client = await connect(member)
    await client.subscribe(public_room)
    for i in range(4):
        await db(send)(member, public_room, f"m{i}")
    frames = await collect_until(client, 4)
    assert_gapless(frames, 4)
    assert await client.nothing(0.2, ignore={"presence", "unread"})


async def test_a_failing_layer_is_rejoined_and_the_rooms_caught_up(
    connect: Any, member: Any, moderator: Any, public_room: Room, monkeypatch: Any
) -> None:
    monkeypatch.setattr(hub_module, "RETRY_SECONDS", (0.05,))
    client = await connect(moderator)
    await client.subscribe(public_room)
    await db(send)(member, public_room, "before")
    await client.expect("message.new")

    layer = get_channel_layer()
    hub = hub_module.get_hub()
    real_receive = layer.receive
    failures = {"left": 1}

    async def broken_receive(channel: str) -> dict[str, Any]:
        if channel == hub.channel and failures["left"]:
            failures["left"] -= 1
            # Whatever was waiting for the process is lost with the connection.
            while True:
                try:
                    layer.channels[channel].get_nowait()
                except (KeyError, asyncio.QueueEmpty):
                    break
            raise ConnectionError("Redis went away")
        return await real_receive(channel)

    monkeypatch.setattr(layer, "receive", broken_receive)
    group_adds: list[str] = []
    real_group_add = layer.group_add

    async def counting_group_add(group: str, channel: str) -> None:
        group_adds.append(group)
        await real_group_add(group, channel)

    monkeypatch.setattr(layer, "group_add", counting_group_add)
    for i in range(5):
        await db(send)(member, public_room, f"during {i}")
    # The hub's pending receive returns seq 2; its next receive fails and loses 3–6.
    frames = await collect_until(client, 6, wait=5)
    assert [f["seq"] for f in frames] == [2, 3, 4, 5, 6]
    assert f"room.{public_room.pk}" in group_adds
