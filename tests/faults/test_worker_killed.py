"""A daphne worker killed with SIGKILL mid-conversation: nothing lost, nothing doubled.

Two workers share the database and Redis, as two hosts behind a load balancer.
Half the clients talk through each. Once a third of the messages are
acknowledged, one worker is SIGKILLed (no goodbye, no flush). Its clients
reconnect to the other worker, resubscribe with the last seq they hold and resend
what was never acknowledged, with the same client_id. At the end every message
is stored exactly once and every client holds every room event exactly once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.faults.chat_scenario import assert_exactly_once, cast, clients_for, converse

pytestmark = pytest.mark.services

PEOPLE = 4
SENDS = 15
FAST = {"CHAT_RATE_BURST": "1000", "CHAT_RATE_PER_SECOND": "1000"}


def test_clients_of_a_killed_worker_resume_on_the_other_with_every_message_once(
    daphne_workers: Any,
) -> None:
    people = cast(PEOPLE)
    doomed, survivor = daphne_workers(**FAST), daphne_workers(**FAST)
    clients = clients_for(
        people,
        [
            [doomed.ws_url, survivor.ws_url] if i % 2 == 0 else [survivor.ws_url, doomed.ws_url]
            for i in range(PEOPLE)
        ],
    )

    async def kill() -> None:
        await asyncio.to_thread(doomed.kill)

    asyncio.run(converse(clients, SENDS, kill))

    assert not doomed.alive and survivor.alive
    moved = [c for i, c in enumerate(clients) if i % 2 == 0]
    assert all(c.connections >= 2 for c in moved), [c.connections for c in clients]
    assert_exactly_once(clients, people.room, SENDS)
    assert "Traceback" not in survivor.log(), survivor.log()[-3000:]
