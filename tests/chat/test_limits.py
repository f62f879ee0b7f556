"""Per-user chat limits that hold on every door: one write budget for REST and websocket,
a replay budget in proportion to what is replayed, and a cap on open sockets."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from limits.storage import memory

from chat.models import Message, Room
from realtime import consumers
from tests.chat.conftest import ORIGIN, _token, db
from tests.factories.chat import send
from tests.factories.users import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch: Any) -> None:
    """In memory (pass 1) the budgets' windows are aligned to the clock, so a test that
    crossed a window boundary would find part of its spending forgiven: the counters'
    clock stands still during each test. (On Redis a window starts at its first hit.)"""
    now = time.time()
    monkeypatch.setattr(memory, "time", SimpleNamespace(time=lambda: now))


def rest_send(user: Any, room: Room, body: str, client_id: str | None = None) -> Any:
    data: dict[str, Any] = {"body": body}
    if client_id is not None:
        data["client_id"] = client_id
    return client_for(user).post(f"/api/v1/rooms/{room.pk}/messages/", data, format="json")


def assert_rate_limited(response: Any) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1


def small(settings: Any, **budgets: str) -> None:
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {**settings.SHABAKA["BUDGETS"], **budgets},
    }


# --- sending -------------------------------------------------------------------------------


async def test_rest_sends_stop_at_the_websocket_burst(
    member: Any, public_room: Room, settings: Any
) -> None:
    """The finding: 30 REST sends in a row were all accepted. With the production burst
    (10; tests otherwise run with a huge one, as with DRF's rates) the 11th is 429. The
    window is an hour here, not production's 10 s: on a loaded machine 30 sends can take
    long enough for a 10 s window to start refilling (seen once on Redis: 11 accepted)."""
    small(settings, send="10 per hour")
    answers = [await db(rest_send)(member, public_room, f"m{i}") for i in range(30)]
    accepted = [r for r in answers if r.status_code == 201]
    assert len(accepted) == 10
    assert_rate_limited(answers[10])
    assert await db(Message.objects.count)() == 10


async def test_websocket_and_rest_sends_share_one_budget(
    connect: Any, member: Any, public_room: Room, settings: Any
) -> None:
    small(settings, send="4 per minute")
    socket = await connect(member)
    for i in range(2):
        await socket.send(
            type="message.send", room=public_room.pk, body=f"ws{i}", client_id=f"w{i}"
        )
        await socket.expect("message.ack")
    assert (await db(rest_send)(member, public_room, "rest0")).status_code == 201
    assert (await db(rest_send)(member, public_room, "rest1")).status_code == 201
    # Spent through both doors: the websocket refuses now, and so does REST.
    await socket.send(type="message.send", room=public_room.pk, body="ws2", client_id="w2")
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("rate_limited", "w2")
    assert isinstance(error["retry_after"], int | float) and 0 < error["retry_after"] <= 60
    assert_rate_limited(await db(rest_send)(member, public_room, "rest2"))
    assert await db(Message.objects.count)() == 4


async def test_a_retried_send_is_neither_refused_nor_charged(
    connect: Any, member: Any, public_room: Room, settings: Any
) -> None:
    small(settings, send="2 per minute")
    first = await db(rest_send)(member, public_room, "once", "same")
    assert first.status_code == 201
    again = await db(rest_send)(member, public_room, "once", "same")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    socket = await connect(member)
    for _ in range(3):
        await socket.send(type="message.send", room=public_room.pk, body="once", client_id="same")
        assert (await socket.expect("message.ack"))["id"] == first.json()["id"]
    # Retries took nothing: one more new message still fits in the budget of two.
    assert (await db(rest_send)(member, public_room, "second")).status_code == 201
    assert_rate_limited(await db(rest_send)(member, public_room, "third"))


async def test_edits_deletes_and_reactions_spend_the_same_budget(
    connect: Any, member: Any, public_room: Room, settings: Any
) -> None:
    small(settings, send="3 per minute")
    message = await db(send)(member, public_room, "written by the action, not a door")
    api = await db(client_for)(member)
    url = f"/api/v1/messages/{message.pk}/"
    assert (await db(api.patch)(url, {"body": "edited"}, format="json")).status_code == 200
    reaction = {"emoji": "👍"}
    answer = await db(api.post)(f"{url}reactions/", reaction, format="json")
    assert answer.status_code == 204
    socket = await connect(member)
    await socket.send(type="message.edit", id=message.pk, body="edited again")
    await socket.send(type="reaction.remove", message=message.pk, emoji="👍")
    assert (await socket.expect("error"))["code"] == "rate_limited"
    assert_rate_limited(await db(api.delete)(url))
    assert not (await db(Message.objects.get)(pk=message.pk)).deleted


async def test_a_refused_send_writes_nothing_and_the_socket_stays_open(
    connect: Any, member: Any, moderator: Any, public_room: Room, settings: Any
) -> None:
    small(settings, send="1 per minute")
    watcher = await connect(moderator)
    await watcher.subscribe(public_room)
    socket = await connect(member)
    await socket.send(type="message.send", room=public_room.pk, body="ok", client_id="a")
    await socket.expect("message.ack")
    await socket.send(type="message.send", room=public_room.pk, body="no", client_id="b")
    assert (await socket.expect("error"))["code"] == "rate_limited"
    await watcher.expect("message.new")
    assert await watcher.nothing(0.3, ignore={"presence", "unread"})
    await socket.send(type="ping")
    await socket.expect("pong")


# --- replay ----------------------------------------------------------------------------------


def history(user: Any, room: Room, count: int) -> None:
    for i in range(count):
        send(user, room, f"old {i}")


async def test_replays_spend_in_proportion_to_what_they_replay(
    connect: Any, outsider: Any, moderator: Any, public_room: Room, settings: Any
) -> None:
    """The finding: a non-member of a public network replayed the whole room 1,000 times."""
    small(settings, replay="25 per minute")
    await db(history)(moderator, public_room, 10)
    socket = await connect(outsider)
    replayed = 0
    for _ in range(50):
        frame = await socket.subscribe(public_room, after_seq=0)
        replayed += len(frame["events"])
        if not frame["events"]:
            break
    assert replayed == 20  # two whole replays of 10 fit in 25; the third does not
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("rate_limited", "subscribe")
    assert 0 < error["retry_after"] <= 60


async def test_a_refused_replay_still_subscribes_and_says_there_is_more(
    connect: Any, member: Any, moderator: Any, public_room: Room, settings: Any
) -> None:
    small(settings, replay="5 per minute")
    await db(history)(moderator, public_room, 4)
    socket = await connect(member)
    assert len((await socket.subscribe(public_room, after_seq=0))["events"]) == 4
    refused = await socket.subscribe(public_room, after_seq=0)
    assert (refused["seq"], refused["events"], refused["has_more"]) == (4, [], True)
    assert (await socket.expect("error"))["code"] == "rate_limited"
    # Live: what is sent now arrives, the gap is paged later.
    await db(send)(moderator, public_room, "live")
    assert (await socket.expect("message.new"))["seq"] == 5
    # Subscribing with nothing to replay costs nothing.
    for _ in range(10):
        assert (await socket.subscribe(public_room))["events"] == []
    up_to_date = await socket.subscribe(public_room, after_seq=5)
    assert (up_to_date["events"], up_to_date["has_more"]) == ([], False)


async def test_the_rest_event_log_spends_the_same_replay_budget(
    connect: Any, member: Any, moderator: Any, public_room: Room, settings: Any
) -> None:
    small(settings, replay="12 per minute")
    await db(history)(moderator, public_room, 8)
    api = await db(client_for)(member)
    url = f"/api/v1/rooms/{public_room.pk}/events/"
    page = await db(api.get)(url, {"after_seq": 0, "limit": 3})
    assert [e["seq"] for e in page.json()["results"]] == [1, 2, 3]  # costs 3, the page size
    socket = await connect(member)
    assert len((await socket.subscribe(public_room, after_seq=0))["events"]) == 8  # costs 8
    assert_rate_limited(await db(api.get)(url, {"after_seq": 3}))
    # Nothing to replay costs nothing.
    assert (await db(api.get)(url, {"after_seq": 8})).json()["results"] == []


# --- sockets per user --------------------------------------------------------------------


async def open_raw(user: Any) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """A socket and the first thing it gets: a `pong` if it is open, else its close."""
    key = await db(_token)(user)
    headers = [ORIGIN, (b"authorization", f"Token {key}".encode())]
    communicator = WebsocketCommunicator(consumers_application(), "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    output = await communicator.receive_output(timeout=3)
    if output["type"] == "websocket.send":
        output = json.loads(output["text"])
    return communicator, output


def consumers_application() -> Any:
    from config.asgi import application

    return application


async def test_one_socket_past_the_cap_is_closed_with_its_code(
    connect: Any, member: Any, outsider: Any, settings: Any
) -> None:
    settings.SHABAKA = {**settings.SHABAKA, "MAX_SOCKETS_PER_USER": 3}
    opened = [await connect(member) for _ in range(3)]
    refused, first = await open_raw(member)
    assert (first["type"], first["code"]) == ("websocket.close", consumers.CLOSE_TOO_MANY_SOCKETS)
    await refused.disconnect()
    # Another user is not affected.
    other, answer = await open_raw(outsider)
    assert answer == {"type": "pong"}
    await other.disconnect()
    # A closed socket frees its slot at once.
    await opened[0].close()
    again, answer = await open_raw(member)
    assert answer == {"type": "pong"}
    await again.disconnect()


async def test_the_production_cap_is_twenty_sockets(connect: Any, member: Any) -> None:
    opened = [await connect(member) for _ in range(20)]
    refused, first = await open_raw(member)
    assert first["code"] == consumers.CLOSE_TOO_MANY_SOCKETS == 4429
    await refused.disconnect()
    assert len(opened) == 20
