"""Chat on the real services: two daphne processes on one Redis, Redis connections
killed mid-conversation, a 500-socket connection storm. Runs with SHABAKA_SERVICES=1."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import websockets
from django.contrib.auth import get_user_model

from accounts.tokens import issue_keys
from chat.models import Message, Room
from community.models import Network
from tests._live import worker_env
from tests._process import DaphneWorker, start_all
from tests._ws import _close_db_connections, db
from tests.factories.users import token_for
from tests.realtime.redis_probe import group_size, kill_redis_connections, redis_ports_of

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

STORM = 500


@pytest.fixture(scope="module")
def servers(
    django_db_setup: Any, django_db_blocker: Any
) -> Iterator[tuple[DaphneWorker, DaphneWorker]]:
    """Two daphne processes sharing the test database and Redis, started once per module."""
    with django_db_blocker.unblock():
        env = worker_env(
            SHABAKA_TESTING="0",  # production settings (throttles, inline search worker)
            LOG_LEVEL="WARNING",  # the storm test finds no error or warning in the log
            # The tests send faster than a person: no send-rate limit on these servers.
            CHAT_RATE_BURST="100000",
            CHAT_RATE_PER_SECOND="100000",
        )
    # 500 handshakes at once queue for the database thread (token lookups): give them
    # longer than daphne's default 5 s, as a deployment expecting storms should.
    args = ("-v", "0", "--websocket_connect_timeout", "30")
    pair = (DaphneWorker(env, *args, name="daphne-a"), DaphneWorker(env, *args, name="daphne-b"))
    try:
        start_all(pair)
        yield pair
    finally:
        for server in pair:
            server.stop()


def token(user: Any) -> str:
    return token_for(user)


class Socket:
    """A `websockets` client speaking Shabaka frames."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.backlog: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.connection.send(json.dumps(frame))

    async def expect(self, kind: str, wait: float = 3) -> dict[str, Any]:
        for index, frame in enumerate(self.backlog):
            if frame["type"] == kind:
                return self.backlog.pop(index)
        async with asyncio.timeout(wait):
            while True:
                frame = json.loads(await self.connection.recv())
                if frame["type"] == kind:
                    return frame
                self.backlog.append(frame)

    async def quiet(self, wait: float, ignore: set[str]) -> list[dict[str, Any]]:
        """Frames (other than the ignored types) arriving within `wait` seconds."""
        frames = [f for f in self.backlog if f["type"] not in ignore]
        try:
            async with asyncio.timeout(wait):
                while True:
                    frame = json.loads(await self.connection.recv())
                    if frame["type"] not in ignore:
                        frames.append(frame)
        except TimeoutError:
            return frames


async def open_socket(server: DaphneWorker, key: str) -> Socket:
    connection = await websockets.connect(
        server.ws_url,
        origin=websockets.Origin(server.url),
        additional_headers={"Authorization": f"Token {key}"},
        max_queue=None,
        open_timeout=30,
    )
    return Socket(connection)


@pytest.fixture
async def sockets() -> AsyncIterator[list[Socket]]:
    opened: list[Socket] = []
    yield opened
    await asyncio.gather(*(s.connection.close() for s in opened), return_exceptions=True)
    await db(_close_db_connections)()


async def test_two_processes_deliver_across_and_a_ban_through_one_revokes_on_the_other(
    servers: tuple[DaphneWorker, DaphneWorker],
    sockets: list[Socket],
    owner: Any,
    member: Any,
    moderator: Any,
    public_network: Network,
    public_room: Room,
) -> None:
    a, b = servers
    keys = {user.username: await db(token)(user) for user in (owner, member, moderator)}
    on_a = await open_socket(a, keys["member"])
    on_b = await open_socket(b, keys["moderator"])
    sockets.extend([on_a, on_b])
    await on_a.send(type="subscribe", room=public_room.pk, after_seq=0)
    await on_a.expect("subscribed")
    await on_b.send(type="message.send", room=public_room.pk, body="من B إلى A", client_id="x")
    ack = await on_b.expect("message.ack")
    new = await on_a.expect("message.new")
    assert new["message"]["id"] == ack["id"] and new["message"]["body"] == "من B إلى A"

    started = time.monotonic()
    status, _ = await asyncio.to_thread(
        b.request,
        "POST",
        f"/api/v1/networks/{public_network.slug}/members/{member.pk}/ban/",
        keys["owner"],
        {"reason": "spam"},
    )
    assert status == 200
    revoked = await on_a.expect("access.revoked", wait=1)
    assert revoked["network"] == public_network.pk
    assert time.monotonic() - started < 1.5  # the HTTP round trip included

    await on_b.send(type="message.send", room=public_room.pk, body="after the ban", client_id="y")
    await on_b.expect("message.ack")
    assert await on_a.quiet(0.5, ignore={"membership", "presence", "unread"}) == []
    assert "Traceback" not in a.log() + b.log()


async def test_killing_redis_connections_mid_conversation_loses_nothing(
    servers: tuple[DaphneWorker, DaphneWorker],
    sockets: list[Socket],
    member: Any,
    moderator: Any,
    public_room: Room,
) -> None:
    a, b = servers
    reader = await open_socket(a, await db(token)(member))
    writer = await open_socket(b, await db(token)(moderator))
    sockets.extend([reader, writer])
    await reader.send(type="subscribe", room=public_room.pk, after_seq=0)
    await reader.expect("subscribed")
    seen: list[int] = []

    async def say(i: int) -> None:
        await writer.send(type="message.send", room=public_room.pk, body=f"m{i}", client_id=f"k{i}")
        await writer.expect("message.ack", wait=10)

    for i in range(5):
        await say(i)
    for _ in range(5):
        seen.append((await reader.expect("message.new"))["seq"])

    # Kill both processes' Redis connections in the middle of the conversation.
    assert await asyncio.to_thread(kill_redis_connections, a.pid) > 0
    assert await asyncio.to_thread(kill_redis_connections, b.pid) > 0
    for i in range(5, 15):
        await say(i)  # the server keeps serving
        if i == 9:
            await asyncio.to_thread(kill_redis_connections, a.pid)
    total = await db(Message.objects.filter(room=public_room).count)()
    assert total == 15

    # Whatever the live path delivered, a resubscribe with the last seq fills the rest.
    live = [f["seq"] for f in await reader.quiet(1.0, ignore={"presence", "unread"}) if "seq" in f]
    last = max(seen + live)
    await reader.send(type="subscribe", room=public_room.pk, after_seq=last)
    replay = [f["seq"] for f in (await reader.expect("subscribed"))["events"]]
    assert sorted(set(seen + live + replay)) == list(range(1, 16))
    assert len(seen + live + replay) == 15  # no duplicates either


async def test_a_connection_storm_of_500_sockets_leaks_nothing(
    servers: tuple[DaphneWorker, DaphneWorker], sockets: list[Socket], public_room: Room
) -> None:
    a, _ = servers

    def make_users() -> list[tuple[int, str]]:
        User = get_user_model()
        users = User.objects.bulk_create(
            [User(username=f"storm{i}", email=f"storm{i}@example.org") for i in range(STORM)]
        )
        return [(u.pk, key) for u, key in zip(users, issue_keys(users), strict=True)]

    users = await db(make_users)()
    log_start = len(a.log())  # earlier tests (Redis killed on purpose) logged too
    warm = await open_socket(a, users[0][1])
    await warm.send(type="ping")
    await warm.expect("pong")
    await warm.connection.close()
    baseline = len(redis_ports_of(a.pid))

    async def connect_all() -> list[Socket]:
        opened = await asyncio.gather(*(open_socket(a, key) for _, key in users))
        await asyncio.gather(*(s.send(type="ping") for s in opened))
        await asyncio.gather(*(s.expect("pong", wait=60) for s in opened))
        return list(opened)

    async def wait_for_groups(expected: int) -> None:
        deadline = time.monotonic() + 30
        while True:
            sizes = await asyncio.to_thread(
                lambda: [group_size(f"user.{pk}") for pk, _ in users[:: STORM // 50]]
            )
            if set(sizes) == {expected} or time.monotonic() > deadline:
                assert set(sizes) == {expected}
                return
            await asyncio.sleep(0.2)

    first = await connect_all()
    await wait_for_groups(1)
    await asyncio.gather(*(s.connection.close() for s in first))  # all at once
    await wait_for_groups(0)
    second = await connect_all()  # and back all at once
    sockets.extend(second)
    await wait_for_groups(1)
    during = len(redis_ports_of(a.pid))
    await asyncio.gather(*(s.connection.close() for s in second))
    await wait_for_groups(0)
    after = len(redis_ports_of(a.pid))

    log = a.log()[log_start:]
    assert "Traceback" not in log and "Error" not in log, log[-3000:]
    # The layer's pool is bounded (64 per process, see settings): a storm may open up
    # to that many connections and they are reused, never multiplied.
    assert during <= baseline + 64 + 8, (baseline, during)
    assert after <= during, (during, after)
