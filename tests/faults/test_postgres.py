"""PostgreSQL connections dropped under a running server: the next requests reconnect.

The worker keeps persistent connections (CONN_MAX_AGE) with health checks; when an
administrator or a failover terminates them, the next request must notice, open a
new connection and answer normally, never with a 500 page or a stack trace. A
websocket open all along keeps working, also after idling longer than the channel
layer's blocking read (the redis-py 8 socket-timeout race that closed idle sockets).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import pytest
import websockets
from django.db import connection

from tests.factories.users import token_for

pytestmark = pytest.mark.services

IDLE_SECONDS = 11.0
IDLE_SOCKETS = 8
PATHS = [
    "/healthz",
    "/api/v1/networks/",
    "/api/v1/networks/germany/",
    "/api/v1/networks/germany/members/",
    "/networks/",
    "/networks/germany/",
]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def terminate_test_database_backends(spare: int) -> int:
    """Terminate every backend of *this test's* database but the test's own (`spare`).

    Runs in a helper thread, which opens its own connection: that one is spared too
    and closed afterwards.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
                [spare],
            )
            return int(cursor.fetchone()[0])
    finally:
        connection.close()


def assert_served(worker: Any, token: str) -> None:
    for path in PATHS:
        status, body = worker.get(path, token)
        assert status == 200, (path, status, body[:500])
        assert b"Traceback" not in body and b"OperationalError" not in body, (path, body[:500])
        if path.startswith(("/api/", "/healthz")):
            json.loads(body)


def test_requests_succeed_after_the_workers_database_connections_are_terminated(
    daphne_workers: Any, member: Any, public_network: Any
) -> None:
    token = token_for(member)
    worker = daphne_workers()
    ours = backend_pid()

    async def scenario() -> None:
        # Websockets held open through it all: idle past the channel layer's blocking
        # read (5 s) twice, and across the database connection loss. Several of them,
        # because an idle socket lost to a read-timeout race is lost by chance.
        async with contextlib.AsyncExitStack() as stack:
            sockets = [
                await stack.enter_async_context(
                    websockets.connect(
                        worker.ws_url,
                        additional_headers={"Authorization": f"Token {token}"},
                        origin=worker.url,
                    )
                )
                for _ in range(IDLE_SOCKETS)
            ]
            started = time.monotonic()
            await asyncio.to_thread(assert_served, worker, token)  # connections now persist
            for _ in range(2):  # twice: the replacement connections are dropped as well
                assert await asyncio.to_thread(terminate_test_database_backends, ours) >= 1
                await asyncio.to_thread(assert_served, worker, token)
            await asyncio.sleep(max(0.0, IDLE_SECONDS - (time.monotonic() - started)))
            for ws in sockets:
                await ws.send(json.dumps({"type": "ping"}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "pong"}

    asyncio.run(scenario())
    status, body = worker.get("/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"
    assert "Traceback" not in worker.log(), worker.log()[-3000:]
    assert worker.alive
