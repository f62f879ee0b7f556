"""Websocket test clients on the real ASGI application (shared by chat, forums, hostile…).

`open_clients()` hands out `connect(user) → Client` and closes every socket, the
test's channel layer and the consumers' database connections at the end; the
`connect` fixture (tests/conftest.py) wraps it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import connections

from chat.models import Room
from config.asgi import application
from tests.factories.users import token_for

ORIGIN = (b"origin", b"http://testserver")


def _token(user: Any) -> str:
    return token_for(user)


class Client:
    """A websocket client of the real application, with small helpers for frames.

    `expect(kind)` returns the first frame of that type, keeping frames of other
    types for later `expect` calls (a sender may see its `message.new` before its
    `message.ack`); `nothing()` is true only if no frame at all is waiting.
    """

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.ws = communicator
        self.backlog: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.ws.send_json_to(frame)

    async def recv(self, wait: float = 2) -> dict[str, Any]:
        if self.backlog:
            return self.backlog.pop(0)
        return await self.ws.receive_json_from(timeout=wait)

    async def expect(self, kind: str, wait: float = 2, **match: Any) -> dict[str, Any]:
        """The first frame of this type (and these field values)."""
        for index, frame in enumerate(self.backlog):
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return self.backlog.pop(index)
        while True:
            frame = await self.ws.receive_json_from(timeout=wait)
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame
            self.backlog.append(frame)

    async def drain(self, wait: float = 0.2) -> list[dict[str, Any]]:
        """Every frame that arrives until the socket stays quiet for `wait` seconds."""
        frames, self.backlog = self.backlog, []
        while not await self.ws.receive_nothing(timeout=wait):
            frames.append(await self.ws.receive_json_from())
        return frames

    def room_frames(self, frames: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The frames that carry a room seq (what replay reproduces)."""
        return [
            f
            for f in (self.backlog if frames is None else frames)
            if "seq" in f and "room" in f and f["type"] != "subscribed"
        ]

    async def subscribe(self, room: Room | int, after_seq: int | None = None) -> dict[str, Any]:
        room_id = room if isinstance(room, int) else room.pk
        frame: dict[str, Any] = {"type": "subscribe", "room": room_id}
        if after_seq is not None:
            frame["after_seq"] = after_seq
        await self.ws.send_json_to(frame)
        return await self.expect("subscribed", room=room_id)

    async def watch(self, topic: int) -> dict[str, Any]:
        """Subscribe to a forum topic (`topic.subscribe` → `topic.subscribed`)."""
        await self.ws.send_json_to({"type": "topic.subscribe", "topic": topic})
        return await self.expect("topic.subscribed", topic=topic)

    async def nothing(self, wait: float = 0.2, *, ignore: set[str] | None = None) -> bool:
        """No frame arrives (frames of the `ignore` types excepted; presence by default)."""
        ignore = {"presence"} if ignore is None else ignore
        frames = [f for f in await self.drain(wait) if f["type"] not in ignore]
        self.backlog = frames
        return not frames

    async def close(self) -> None:
        await self.ws.disconnect()


def _close_db_connections() -> None:
    connections.close_all()


@contextlib.asynccontextmanager
async def open_clients() -> AsyncIterator[Callable[..., Any]]:
    """connect(user) → a connected Client; every client is disconnected at the end.

    Each test gets its own channel layer instance (its Redis pools belong to the
    test's event loop) and leaves no connection behind: the layer's pools and the
    database connection of the thread that runs the consumers' queries are closed.
    """
    channel_layers.backends.clear()
    communicators: list[WebsocketCommunicator] = []

    async def open_(
        user: Any, *, expect_accept: bool = True, headers: list[tuple[bytes, bytes]] | None = None
    ) -> Client:
        if headers is None:
            headers = [ORIGIN]
            if user is not None:
                key = await database_sync_to_async(_token)(user)
                headers.append((b"authorization", f"Token {key}".encode()))
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        communicators.append(communicator)
        connected, _ = await communicator.connect(timeout=3)
        assert connected is expect_accept
        client = Client(communicator)
        if connected:
            # The handshake is accepted before the socket's state is loaded; a pong means
            # connect() has finished (frames are handled only after it).
            await client.send(type="ping")
            await client.expect("pong")
        return client

    try:
        yield open_
    finally:
        for communicator in communicators:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, RuntimeError):
                await communicator.disconnect()
        layer = channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
        if isinstance(layer, RedisChannelLayer):
            await layer.close_pools()
        elif isinstance(layer, RedisPubSubChannelLayer):
            await layer.flush()  # local state and connections only
        await database_sync_to_async(_close_db_connections)()


def db(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a sync ORM/action call from an async test."""
    return database_sync_to_async(fn)
