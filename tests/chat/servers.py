"""Real daphne processes and Redis introspection for the real-services chat tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import redis

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).with_name("daphne")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The URL of the database Django uses now (the test database inside a test)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Daphne:
    """One `daphne config.asgi:application` on a free loopback port, logging to a file."""

    def __init__(self, *args: str, **env: str) -> None:
        self.args = list(args)
        self.port = free_port()
        self.env = {**os.environ, "DATABASE_URL": database_url(), "SHABAKA_TESTING": "0", **env}
        self.log = Path(tempfile.mkstemp(prefix="daphne-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Daphne:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own daphne
                [
                    str(DAPHNE),
                    "-v",
                    "0",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    *self.args,
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    async def ready(self, wait: float = 60) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log_text()
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise TimeoutError(f"daphne on {self.port} did not start:\n{self.log_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def post(self, path: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"null")


def redis_client() -> Any:
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def redis_ports_of(pid: int) -> set[int]:
    """Local ports of the process's TCP connections to Redis (from /proc)."""
    from django.conf import settings

    redis_port = urlparse(settings.REDIS_URL).port or 6379
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            established = state == "01"
            if established and inode in inodes and int(remote.rsplit(":", 1)[1], 16) == redis_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def kill_redis_connections(pid: int) -> int:
    """CLIENT KILL every Redis connection of one process; returns how many were killed."""
    client = redis_client()
    killed = 0
    for port in redis_ports_of(pid):
        # A connection may close by itself meanwhile ("No such client").
        with contextlib.suppress(redis.ResponseError):
            client.execute_command("CLIENT", "KILL", "ADDR", f"127.0.0.1:{port}")
            killed += 1
    client.close()
    return killed


def group_size(group: str) -> int:
    """Members of a channel-layer group in Redis: channels (list layer) or subscribed
    connections (pub/sub layer)."""
    from django.conf import settings

    config = settings.CHANNEL_LAYERS["default"]
    prefix = config["CONFIG"]["prefix"]
    client = redis_client()
    try:
        if "PubSub" in config["BACKEND"]:
            return int(
                dict(client.pubsub_numsub(f"{prefix}__group__{group}"))[
                    f"{prefix}__group__{group}".encode()
                ]
            )
        return int(client.zcard(f"{prefix}:group:{group}"))
    finally:
        client.close()
