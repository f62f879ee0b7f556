"""Meilisearch killed and restarted: writes go on, search degrades, the outbox drains after.

A worker and a `search_worker` run against a Meilisearch of the test's own. With
Meilisearch SIGKILLed, a profile edit still succeeds (the database backend is
rewritten in the same transaction and an outbox row is queued), `/healthz` says
`search: degraded`, and a search for the new text is answered from the database.
Once Meilisearch is started again on the same data, the outbox drains to zero and
the new text is in Meilisearch's index.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import pytest

from search.models import OutboxEntry
from tests._live import ManageCommand, worker_env
from tests.factories.users import token_for

pytestmark = pytest.mark.services


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_writes_succeed_while_meilisearch_is_down_and_the_outbox_drains_after(
    daphne_workers: Any, meili_server: Any, member: Any, public_network: Any
) -> None:
    token = token_for(member)
    search_env = {
        "MEILISEARCH_URL": meili_server.url,
        "MEILISEARCH_API_KEY": meili_server.key,
        "MEILISEARCH_INDEX_PREFIX": f"fault{meili_server.port}",
        "MEILISEARCH_TIMEOUT": "1",
    }
    worker = daphne_workers(**search_env)
    drainer = ManageCommand(worker_env(**search_env), "search_worker", "--poll", "0.1").start()
    try:

        def edit(headline: str) -> None:
            status, body = worker.request(
                "PATCH", "/api/v1/profile/", token, {"headline": headline}
            )
            assert status == 200, body

        def found(word: str) -> bool:
            status, body = worker.get(f"/api/v1/directory/?q={quote(word)}", token)
            assert status == 200, body
            return any(r.get("username") == "member" for r in json.loads(body)["results"])

        def health() -> str:
            status, body = worker.get("/healthz")
            assert status == 200, body  # search trouble never fails the health check
            return str(json.loads(body)["search"])

        edit("Cardiologue zorblaxiste")
        wait_for(lambda: OutboxEntry.objects.count() == 0, 20, "the first update to drain")
        assert health() == "ok" and found("zorblaxiste")

        meili_server.kill()
        edit("Pédiatre quintaflorine")  # a write while Meilisearch is down
        assert health() == "degraded"
        assert found("quintaflorine")  # answered by the database backend
        wait_for(lambda: OutboxEntry.objects.count() >= 1, 5, "the update to wait in the outbox")

        meili_server.start()  # same port, same data
        wait_for(lambda: OutboxEntry.objects.count() == 0, 30, "the outbox to drain")
        assert health() == "ok"
        import meilisearch

        index = meilisearch.Client(meili_server.url, meili_server.key).index(
            f"{search_env['MEILISEARCH_INDEX_PREFIX']}_members"
        )
        assert index.search("quintaflorine")["hits"], "the queued update never reached Meilisearch"
        assert found("quintaflorine")
        assert "Traceback" not in worker.log(), worker.log()[-3000:]
    finally:
        drainer.stop()
