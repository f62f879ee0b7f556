"""The servers the chat benchmarks start and the client they connect with.

- Shabaka itself: `daphne("config.asgi:application")`, run as in production (DEBUG off).
- The baseline: `bare_application`, the bare channels consumer a Django developer writes
  first (join one group, group_send every frame to it through RedisChannelLayer).
- The floor: `plain_websockets()`, a plain `websockets` server broadcasting every frame.

Every server is a child process on a free loopback port, stopped by `Server.stop`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT

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

    async with websockets.serve(handler, "127.0.0.1", port, max_size=2**20):
        await asyncio.Future()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    command: list[str]
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(suffix=".log")[1]))

    def start(self) -> Server:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    async def ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise TimeoutError(self.log.read_text())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"


# Servers run as in production: DEBUG off (no SQL query log growing per socket).
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "bench-only-secret", "ALLOWED_HOSTS": "127.0.0.1"}


def daphne(app: str, **env: str) -> Server:
    binary = str(Path(sys.executable).with_name("daphne"))
    return Server(
        [binary, "-v", "0", "-b", "127.0.0.1", "-p", "{port}", *DAPHNE_ARGS, app],
        {**os.environ, **PRODUCTION, **env},
    )


def plain_websockets() -> Server:
    return Server([sys.executable, __file__, "--serve-plain", "{port}"], dict(os.environ))


async def open_client(url: str, token: str | None) -> Any:
    import websockets

    headers = {"Authorization": f"Token {token}"} if token else {}
    return await websockets.connect(
        url,
        origin=websockets.Origin("http://127.0.0.1"),
        additional_headers=headers,
        max_queue=None,
        open_timeout=60,
        ping_interval=None,
        compression=None,
    )


if __name__ == "__main__":
    asyncio.run(serve_plain(int(sys.argv[sys.argv.index("--serve-plain") + 1])))
