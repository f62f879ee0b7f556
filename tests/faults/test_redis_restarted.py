"""Redis restarted mid-conversation: nothing lost once clients resubscribe; no crash, no hang.

Two workers share a Redis of the test's own (never the machine's shared one), which
is SIGKILLed once a third of the messages are acknowledged and started again, empty,
a second later: channel-layer queues and group memberships are gone, and so is the
cache. Clients whose sockets die reconnect; sends that failed meanwhile are resent
with their client_id. At the end every message is stored exactly once, every
client holds every room event once, and both workers still answer.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.faults.chat_scenario import assert_exactly_once, cast, clients_for, converse

pytestmark = pytest.mark.services

PEOPLE = 4
SENDS = 15


def test_conversation_survives_a_redis_restart_with_every_message_once(
    daphne_workers: Any, redis_server: Any
) -> None:
    people = cast(PEOPLE)
    env = {
        "REDIS_URL": redis_server.url,
        "CHANNEL_REDIS_HOSTS": redis_server.url,
        "CHAT_RATE_BURST": "1000",
        "CHAT_RATE_PER_SECOND": "1000",
    }
    one, two = daphne_workers(**env), daphne_workers(**env)
    clients = clients_for(
        people,
        [
            [one.ws_url, two.ws_url] if i % 2 == 0 else [two.ws_url, one.ws_url]
            for i in range(PEOPLE)
        ],
    )

    async def restart() -> None:
        await asyncio.to_thread(redis_server.restart, 1.0)

    asyncio.run(converse(clients, SENDS, restart))

    assert_exactly_once(clients, people.room, SENDS)
    for worker in (one, two):
        assert worker.alive
        status, body = worker.get("/healthz")
        assert status == 200, body
        assert json.loads(body)["channel_layer"] == "ok"
