"""The chat limits across processes: two daphne workers on one Redis count one budget of
writes, one of replays and one set of sockets per user. Runs with SHABAKA_SERVICES=1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import websockets

from chat.models import Message, Room
from tests._live import worker_env
from tests._process import DaphneWorker, start_all
from tests.chat.conftest import _close_db_connections, db
from tests.factories.chat import send
from tests.realtime.test_services import Socket, open_socket, token

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SOCKETS = 3


@pytest.fixture(scope="module")
def pair(
    django_db_setup: Any, django_db_blocker: Any
) -> Iterator[tuple[DaphneWorker, DaphneWorker]]:
    """Two workers with the production burst of 10 sends (refilling over an hour rather than
    10 s, so a slow machine cannot refill it mid-test), a small replay budget and cap."""
    with django_db_blocker.unblock():
        env = worker_env(
            CHAT_SEND_BUDGET="10 per hour",
            CHAT_REPLAY_BUDGET="15 per hour",
            MAX_SOCKETS_PER_USER=str(SOCKETS),
            LOG_LEVEL="WARNING",
        )
    workers = (
        DaphneWorker(env, "-v", "0", name="limits-a"),
        DaphneWorker(env, "-v", "0", name="limits-b"),
    )
    try:
        start_all(workers)
        yield workers
    finally:
        for worker in workers:
            worker.stop()


async def answer(socket: Socket, wait: float = 10) -> dict[str, Any]:
    """The next `message.ack` or `error` of the socket."""
    async with asyncio.timeout(wait):
        while True:
            frame = json.loads(await socket.connection.recv())
            if frame["type"] in {"message.ack", "error"}:
                return frame  # type: ignore[no-any-return]


async def accepted(worker: DaphneWorker, key: str, tries: int = 20) -> Socket:
    """A socket that answers a ping, trying again a moment later while it is refused (a
    slot freed on another process is freed as its close is handled there)."""
    for _ in range(tries):
        socket = await open_socket(worker, key)
        try:
            await socket.send(type="ping")
            await socket.expect("pong")
            return socket
        except websockets.exceptions.ConnectionClosed:
            await asyncio.sleep(0.1)
    raise AssertionError("the socket was refused every time")


@pytest.fixture
async def opened() -> AsyncIterator[list[Socket]]:
    sockets: list[Socket] = []
    yield sockets
    await asyncio.gather(*(s.connection.close() for s in sockets), return_exceptions=True)
    await db(_close_db_connections)()


async def test_sends_alternating_between_two_processes_share_one_budget(
    pair: tuple[DaphneWorker, DaphneWorker], opened: list[Socket], member: Any, public_room: Room
) -> None:
    a, b = pair
    key = await db(token)(member)
    on_a, on_b = await open_socket(a, key), await open_socket(b, key)
    opened.extend([on_a, on_b])
    path = f"/api/v1/rooms/{public_room.pk}/messages/"
    outcomes: list[str] = []
    for i in range(14):
        door = i % 4
        if door in (0, 2):  # the websocket on A, then on B
            socket = on_a if door == 0 else on_b
            await socket.send(
                type="message.send", room=public_room.pk, body=f"m{i}", client_id=f"c{i}"
            )
            frame = await answer(socket)
            assert frame["type"] == "message.ack" or (
                frame["code"] == "rate_limited" and frame["retry_after"] >= 1
            ), frame
            outcomes.append("sent" if frame["type"] == "message.ack" else "refused")
        else:  # REST on B, then on A
            worker = b if door == 1 else a
            status, body = await asyncio.to_thread(
                worker.request, "POST", path, key, {"body": f"m{i}", "client_id": f"c{i}"}
            )
            assert status in (201, 429), body
            if status == 429:
                assert json.loads(body)["error"]["code"] == "rate_limited"
            outcomes.append("sent" if status == 201 else "refused")
    # A burst of 10 (as in production), as on one process: 10 sent, then refused.
    assert outcomes == ["sent"] * 10 + ["refused"] * 4
    assert await db(Message.objects.filter(room=public_room).count)() == 10
    assert "Traceback" not in a.log() + b.log()


async def test_replays_on_two_processes_share_one_budget(
    pair: tuple[DaphneWorker, DaphneWorker],
    opened: list[Socket],
    member: Any,
    moderator: Any,
    public_room: Room,
) -> None:
    a, b = pair
    await db(lambda: [send(moderator, public_room, f"old {i}") for i in range(8)])()
    key = await db(token)(member)
    on_a = await open_socket(a, key)
    opened.append(on_a)
    await on_a.send(type="subscribe", room=public_room.pk, after_seq=0)
    assert len((await on_a.expect("subscribed"))["events"]) == 8  # 8 of 15 spent on A
    status, body = await asyncio.to_thread(
        b.get, f"/api/v1/rooms/{public_room.pk}/events/?after_seq=0", key
    )
    assert status == 429, body  # 8 more do not fit on B
    on_b = await open_socket(b, key)
    opened.append(on_b)
    await on_b.send(type="subscribe", room=public_room.pk, after_seq=0)
    refused = await on_b.expect("error")
    assert (refused["code"], refused["ref"]) == ("rate_limited", "subscribe")
    subscribed = await on_b.expect("subscribed")
    assert (subscribed["events"], subscribed["has_more"]) == ([], True)


async def test_the_socket_cap_counts_the_sockets_of_both_processes(
    pair: tuple[DaphneWorker, DaphneWorker], opened: list[Socket], member: Any, outsider: Any
) -> None:
    a, b = pair
    key = await db(token)(member)
    for worker in (a, b, a):
        socket = await open_socket(worker, key)
        opened.append(socket)
        await socket.send(type="ping")
        await socket.expect("pong")
    for worker in (a, b):
        extra = await open_socket(worker, key)
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await extra.expect("pong", wait=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
    # Someone else is not affected; a socket closed on A frees its slot for B at once.
    other = await open_socket(b, await db(token)(outsider))
    opened.append(other)
    await other.send(type="ping")
    await other.expect("pong")
    await opened.pop(0).connection.close()
    opened.append(await accepted(b, key))
