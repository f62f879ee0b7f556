"""The servers the chat benchmarks start and the client they connect with.

- Shabaka itself: `daphne("config.asgi:application")`, run as in production (DEBUG off).
- The baseline: `bare_application`, the bare channels consumer a Django developer writes
  first (join one group, group_send every frame to it through RedisChannelLayer).
- The floor: `plain_websockets()`, a plain `websockets` server broadcasting every frame.

Every server is a `Server`, a tests._process.ChildProcess (a child process on a free
loopback port with a log): `start()`, or tests._process.start_all for several at once;
`stop()`.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests._process import LOOPBACK, ChildProcess, daphne_command

DAPHNE_ARGS = ["--websocket_connect_timeout", "60", "--application-close-timeout", "30"]


_bare_app: Any = None


async def bare_application(scope: dict[str, Any], receive: Any, send: Any) -> Any:
    """(b): join one group, group_send every frame to it, send what arrives. No auth, no DB."""
    global _bare_app
    if _bare_app is None:
        _bare_app = _build_bare_application()
    return await _bare_app(scope, receive, send)


def _build_bare_application() -> Any:
    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import path

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [settings.REDIS_URL],
                "prefix": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
            },
        }
    }

    class BareConsumer(AsyncWebsocketConsumer):
        async def connect(self) -> None:
            await self.channel_layer.group_add("room", self.channel_name)
            await self.accept()

        async def disconnect(self, code: int) -> None:
            await self.channel_layer.group_discard("room", self.channel_name)

        async def receive(self, text_data: str | None = None, bytes_data: Any = None) -> None:
            frame = json.loads(text_data or "{}")
            await self.channel_layer.group_send("room", {"type": "room.frame", "frame": frame})

        async def room_frame(self, event: dict[str, Any]) -> None:
            await self.send(text_data=json.dumps(event["frame"]))

    return ProtocolTypeRouter({"websocket": URLRouter([path("ws/", BareConsumer.as_asgi())])})


async def serve_plain(port: int) -> None:
    """(c): a plain websockets server that broadcasts each received frame to everyone."""
    import websockets

    clients: set[Any] = set()

    async def handler(connection: Any) -> None:
        clients.add(connection)
        try:
            async for text in connection:
                websockets.broadcast(clients, text)
        finally:
            clients.discard(connection)

    async with websockets.serve(handler, LOOPBACK, port, max_size=2**20):
        await asyncio.Future()


class Server(ChildProcess):
    """A websocket server at `url`, stopped with SIGINT so daphne shuts down cleanly."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        super().__init__(name, argv, env, stop_signal=signal.SIGINT, start_timeout=60)

    @property
    def url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}/ws/"


# Servers run as in production: DEBUG off (no SQL query log growing per socket).
# A fresh key per run: a fixed one would be published here, and refused (config/secret_key.py).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
}


def daphne(app: str, **env: str) -> Server:
    argv = daphne_command("-v", "0", *DAPHNE_ARGS, app)
    return Server("daphne", argv, {**os.environ, **PRODUCTION, **env})


def plain_websockets() -> Server:
    argv = [sys.executable, __file__, "--serve-plain", "{port}"]
    return Server("plain-websockets", argv, dict(os.environ))


async def open_client(url: str, token: str | None, *, cookie: str | None = None) -> Any:
    """A client socket from the site's origin, with a token header or a Cookie header."""
    import websockets

    headers = {"Authorization": f"Token {token}"} if token else {}
    if cookie:
        headers["Cookie"] = cookie
    return await websockets.connect(
        url,
        # The page's origin is the server's own, port included (realtime/origin.py).
        origin=websockets.Origin(url.replace("ws://", "http://", 1).split("/ws/", 1)[0]),
        additional_headers=headers,
        max_queue=None,
        open_timeout=60,
        ping_interval=None,
        compression=None,
    )


if __name__ == "__main__":
    asyncio.run(serve_plain(int(sys.argv[sys.argv.index("--serve-plain") + 1])))
