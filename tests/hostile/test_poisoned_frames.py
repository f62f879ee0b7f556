"""Every text field of every websocket frame, poisoned: a lone surrogate, a NUL, bidi
controls, deep nesting (REST: test_poisoned_text.py; the poisons: poison.py).

No hand list of fields: the cases are walked out of the frame table the consumer reads
its fields through (`realtime.frames.CLIENT_FRAMES`). A frame added tomorrow is poisoned
tomorrow. With the owner's socket:

- a NUL or a lone surrogate in a value, or in a key: an `error` frame
  (`invalid_text`), never a closed socket, and no row anywhere changes (before/after
  snapshot of every model);
- JSON nested past 64 levels: `too_deep`, nothing written;
- bidi controls and zero-width characters: never a `server_error`; a sent or edited
  body is stored as sent, or with those characters stripped.
"""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

import pytest

from chat.models import Message
from realtime.frames import CLIENT_FRAMES
from tests.hostile.poison import BIDI, POISONS, STRIPPABLE, changed, every_row
from tests.hostile.test_authorization_sweep import Prober
from tests.hostile.world import World

WS_DEPTH = 100  # json.dumps builds it; tests/realtime/test_consumer.py sends 8,000 deep


# --- websocket (transactional: the consumer reads through its own connections) -------------


def valid_frame(world: World, kind: str) -> dict[str, Any]:
    """A frame of this type the owner could send: every declared field, plausibly."""
    germany = world.networks["germany"]
    ints = {
        "room": germany.ids["room"][0],
        "topic": germany.ids["topic"][0],
        "id": germany.ids["message"][0],
        "message": germany.ids["message"][0],
        "message_id": germany.ids["message"][0],
        "after_seq": 0,
        "reply_to": germany.ids["message"][0],
    }
    strings = {"body": "probe", "emoji": "👍"}
    frame: dict[str, Any] = {"type": kind}
    for name, spec in CLIENT_FRAMES[kind].items():
        if spec.kind is int:
            frame[name] = ints[name]
        elif name == "client_id":
            frame[name] = f"probe-{uuid.uuid4().hex}"
        else:
            frame[name] = strings.get(name, "probe")
    return frame


def text_fields(kind: str) -> list[str]:
    return ["type", *(n for n, spec in CLIENT_FRAMES[kind].items() if spec.kind is str)]


def expect_error(reply: list[tuple[str, str]], code: str) -> str | None:
    kinds = [pair for pair in reply if pair[0] != "raw"]
    return None if kinds == [("error", code)] else f"answered {kinds}"


def nested(depth: int) -> list[Any]:
    return functools.reduce(lambda inner, _: [inner], range(depth - 1), [])


@pytest.mark.django_db(transaction=True)
def test_every_string_field_of_every_frame_refuses_nul_surrogates_and_deep_json(
    live_world: World, background_loop: Any
) -> None:
    """Poisoned frames are refused before any rate budget is spent; the few bidi writes
    stay inside the default burst."""
    world = live_world
    problems: list[str] = []
    before = every_row()

    async def poison() -> int:
        socket = Prober(world.tokens["owner"])
        cases = 0
        try:
            for kind in CLIENT_FRAMES:
                frames = []
                for name in text_fields(kind):
                    for label, bad in POISONS.items():
                        frame = valid_frame(world, kind)
                        frame[name] = frame[name][:1] + bad + frame[name][1:]
                        frames.append((f"{kind} {name} with a {label}", frame, "invalid_text"))
                for label, key in [("NUL", "probe\x00"), ("surrogate", "probe\ud800")]:
                    frame = {**valid_frame(world, kind), key: 1}
                    frames.append((f"{kind} with a {label} in a key", frame, "invalid_text"))
                frame = {**valid_frame(world, kind), "pad": nested(WS_DEPTH)}
                frames.append((f"{kind} {WS_DEPTH} deep", frame, "too_deep"))
                for where, frame, code in frames:
                    cases += 1
                    if problem := expect_error(await socket.reply(frame), code):
                        problems.append(f"{where}: {problem}")
        finally:
            await socket.close()
        return cases

    cases = background_loop.run(poison(), timeout=300)
    assert cases > 60, "the frame table gave too few string fields"
    assert not problems, "\n".join(problems[:40])
    assert not changed(before, every_row()), "poisoned frames wrote rows"

    # Bidi controls in every string field: no server_error, and a sent or edited body is
    # stored as sent (or stripped of those characters).
    async def bidi() -> list[tuple[str, str, str, list[tuple[str, str]]]]:
        socket = Prober(world.tokens["owner"])
        replies = []
        try:
            for kind in CLIENT_FRAMES:
                for name in text_fields(kind)[1:]:
                    frame = valid_frame(world, kind)
                    frame[name] = frame[name] + BIDI
                    replies.append((kind, name, frame[name], await socket.reply(frame)))
        finally:
            await socket.close()
        return replies

    edited = world.networks["germany"].ids["message"][0]
    for kind, name, sent, reply in background_loop.run(bidi(), timeout=120):
        if ("error", "server_error") in reply:
            problems.append(f"{kind} {name} with bidi controls: {reply}")
        stored = None
        if (kind, name) == ("message.send", "body"):
            acks = [json.loads(text)["id"] for t, text in reply if t == "raw" and "ack" in text]
            stored = Message.objects.get(pk=acks[0]).body if acks else None
        elif (kind, name) == ("message.edit", "body"):
            stored = Message.objects.get(pk=edited).body
        if stored is not None and stored not in {sent, STRIPPABLE.sub("", sent)}:
            problems.append(f"{kind}: sent {sent!r}, stored {stored!r}")
    assert not problems, "\n".join(problems[:40])
