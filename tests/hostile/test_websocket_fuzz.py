"""The websocket fuzzed with hypothesis: whatever a client sends, the server stays polite.

Each example opens two sockets on the real ASGI application: an attacker (`stranger`,
a member of another network only) who sends a burst of generated frames — bad JSON,
wrong types, huge numbers, deep nesting, 1 MiB text and binary frames, unknown
types, frames naming rooms, messages and forum topics by small sequential ids (which
reach the private, hidden and direct rooms and the hidden topics of the world) — and a
bystander (`member`)
subscribed to a room of their own. Then:

- the attacker's socket never crashes: every frame it gets is JSON of a known type
  (mostly `error`), and if it is closed, the code is a 4xxx;
- nothing the attacker receives carries a marker of a network it may not read, or
  names a room or topic it may not read (beyond echoing an unsubscribe);
- the attacker still answers a ping (unless closed for abuse), and the bystander
  still gets its pong and its own message, acknowledged and delivered.

Bounded and repeatable: HOSTILE_WS_EXAMPLES examples (default 40), derandomized.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from community.forums.events import TOPIC_EVENTS
from config.asgi import application
from tests.hostile.world import World

EXAMPLES = int(os.environ.get("HOSTILE_WS_EXAMPLES", "40"))
ORIGIN = (b"origin", b"http://testserver")
MIB = 1024 * 1024

KNOWN_TYPES = [
    "ping",
    "subscribe",
    "unsubscribe",
    "message.send",
    "message.edit",
    "message.delete",
    "reaction.add",
    "reaction.remove",
    "typing",
    "read",
    "topic.subscribe",
    "topic.unsubscribe",
]
SERVER_TYPES = {
    "error",
    "pong",
    "subscribed",
    "unsubscribed",
    "message.ack",
    "message.new",
    "message.edited",
    "message.deleted",
    "reaction.added",
    "reaction.removed",
    "typing",
    "presence",
    "unread",
    "membership",
    "access.revoked",
    "topic.subscribed",
    "topic.unsubscribed",
    *TOPIC_EVENTS,  # forums.post, forums.post_edited, …, forums.topic_updated
    "forums.mention",
}
# Replies that only repeat the id the client sent: they reveal nothing about it.
ECHOES = {"error", "unsubscribed", "topic.unsubscribed"}


# --- frames ------------------------------------------------------------------------------

small_ids = st.integers(min_value=0, max_value=40)
numbers = st.one_of(
    small_ids,
    st.integers(),
    st.sampled_from([-1, 2**31, 2**63, -(2**63) - 1, 10**100]),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=40))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
types = st.one_of(
    st.sampled_from(
        [
            *KNOWN_TYPES,
            "",
            "PING",
            "message",
            "subscribe ",
            "__init__",
            "websocket.disconnect",
            "access.revoked",
            "chat.message",
            "x" * 200,
        ]
    ),
    st.text(max_size=20),
)
FIELDS = ["room", "topic", "id", "message", "message_id", "after_seq", "reply_to"]
structured = st.builds(
    lambda kind, fields: json.dumps({**fields, "type": kind}),
    st.one_of(types, values),
    st.fixed_dictionaries(
        {},
        optional={
            **{name: st.one_of(small_ids, values) for name in FIELDS},
            "body": st.one_of(st.text(max_size=300), values),
            "client_id": st.one_of(st.text(max_size=80), values),
            "emoji": st.one_of(st.sampled_from(["👍", "🇲🇦", "", "x" * 100]), values),
        },
    ),
)
raw = st.one_of(
    st.text(max_size=200),
    st.sampled_from(['{"type":', "[", "null", "{}", "[]", '"ping"', "NaN", '{"type": 1}']),
)
nesting = st.integers(min_value=50, max_value=8000)
deep = st.one_of(
    nesting.map(lambda d: "[" * d + "]" * d),
    nesting.map(lambda d: '{"type":"ping","a":' + '{"a":' * d + "1" + "}" * (d + 1)),
)
big = st.sampled_from(["x" * MIB, json.dumps({"type": "message.send", "body": "y" * (16 * 1024)})])
text_frames = st.one_of(structured, raw, deep, big)
binary_frames = st.one_of(st.binary(max_size=64), st.just(b"\x00" * MIB))
frames = st.lists(st.one_of(text_frames, text_frames, binary_frames), min_size=1, max_size=12)


# --- the run -------------------------------------------------------------------------------


def forbidden(world: World) -> tuple[list[str], set[int], set[int]]:
    """What stranger may not see: markers of private/hidden/direct content, their rooms
    and topics."""
    hidden = [world.networks["medical"], world.networks["lawyers"]]
    markers = [c.marker for c in hidden] + [world.direct_marker]
    rooms = {i for c in hidden for i in c.ids["room"]} | {world.direct_room or -1}
    topics = {i for c in hidden for i in c.ids["topic"]}
    return markers, rooms, topics


async def collect(ws: WebsocketCommunicator, until: str, wait: float = 10) -> list[Any]:
    """Output until a frame of type `until` or a close; a close is {"close": code}."""
    out: list[Any] = []
    while True:
        try:
            message = await ws.receive_output(wait)
        except TimeoutError:
            raise AssertionError(f"no {until!r} within {wait} s; got {out}") from None
        if message["type"] == "websocket.close":
            out.append({"close": message.get("code", 1000)})
            return out
        text = message.get("text")
        frame = json.loads(text) if text is not None else {"binary": message.get("bytes")}
        out.append(frame)
        if frame.get("type") == until:
            return out


async def attack(world: World, burst: list[str | bytes]) -> None:
    markers, rooms, topics = forbidden(world)
    headers = [ORIGIN]
    attacker = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[*headers, (b"authorization", f"Token {world.tokens['stranger']}".encode())],
    )
    bystander = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[*headers, (b"authorization", f"Token {world.tokens['member']}".encode())],
    )
    assert (await attacker.connect())[0] and (await bystander.connect())[0]
    own_room = world.networks["germany"].ids["room"][0]
    try:
        await bystander.send_json_to({"type": "subscribe", "room": own_room})
        await collect(bystander, "subscribed")

        for frame in burst:
            if isinstance(frame, bytes):
                await attacker.send_input({"type": "websocket.receive", "bytes": frame})
            else:
                await attacker.send_input({"type": "websocket.receive", "text": frame})
        await attacker.send_input({"type": "websocket.receive", "text": '{"type": "ping"}'})
        got = await collect(attacker, "pong")

        for frame in got:
            if "close" in frame:
                assert 4000 <= frame["close"] < 5000, f"closed with {frame['close']}"
                continue
            assert frame.get("type") in SERVER_TYPES, frame
            text = json.dumps(frame, ensure_ascii=False)
            leaked = [m for m in markers if m in text]
            assert not leaked, f"leak of {leaked}: {text[:300]}"
            if frame["type"] not in ECHOES:
                assert frame.get("room") not in rooms, f"another network's room: {text[:300]}"
                topic = frame.get("topic")
                topic_id = topic.get("id") if isinstance(topic, dict) else topic
                assert topic_id not in topics, f"another network's topic: {text[:300]}"
        assert "close" in got[-1] or got[-1].get("type") == "pong"

        # The bystander is still served: a pong, then its own message acked and delivered.
        await bystander.send_json_to({"type": "ping"})
        await collect(bystander, "pong")
        await bystander.send_json_to(
            {
                "type": "message.send",
                "room": own_room,
                "body": "still here",
                "client_id": uuid.uuid4().hex,
            }
        )
        seen = await collect(bystander, "message.new")
        if not any(f.get("type") == "message.ack" for f in seen):
            await collect(bystander, "message.ack")
    finally:
        await attacker.disconnect()
        await bystander.disconnect()


@given(burst=frames)
@example(burst=["[" * 5000 + "]" * 5000])  # deep nesting, under the 16 KiB limit
@example(burst=['{"type": "ping", "n": ' + "9" * 5000 + "}"])  # a 5,000-digit number
@example(burst=["x" * MIB, b"\x00" * MIB])  # 1 MiB text and binary frames
@example(burst=['{"type": "subscribe", "room": 1e400}', '{"type": "read", "room": NaN}'])
# Every small topic id, the hidden networks' among them.
@example(burst=[json.dumps({"type": "topic.subscribe", "topic": i}) for i in range(1, 13)])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Transactional: the consumer reads through its own connections, outside any test
# transaction; the one flush at the end also wipes what the examples wrote.
@pytest.mark.django_db(transaction=True)
def test_no_frame_crashes_the_socket_or_leaks_another_networks_data(
    live_world: World, background_loop: Any, burst: list[str | bytes]
) -> None:
    background_loop.run(attack(live_world, burst))
