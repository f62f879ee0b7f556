"""The outbox: writes never wait for Meilisearch, and no update is lost while it is down."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from directory.search import MEMBERS
from search import outbox
from search.backends import run_search, search_health
from search.models import OutboxEntry
from search.query import SearchQuery, Viewer
from tests.factories.directory import SearchBackend, make_profile
from tests.factories.networks import add_member
from tests.factories.users import make_user

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "meilisearch.sh"


def marker(i: int) -> str:
    """A word far (in edits) from every other marker, so typo tolerance cannot mix them up."""
    return "m" + hashlib.sha256(str(i).encode()).hexdigest()[:10]


def test_a_profile_change_writes_its_outbox_row_in_the_same_transaction(
    settings: Any, public_network: Any, member: Any
) -> None:
    settings.MEILISEARCH_URL = "http://127.0.0.1:9"  # configured, never reached by a write
    OutboxEntry.objects.all().delete()
    make_profile(member, headline="Pharmacienne")
    assert list(OutboxEntry.objects.values_list("doc_type", "object_id")) == [(MEMBERS, member.pk)]
    with pytest.raises(ValueError):
        from django.db import transaction

        with transaction.atomic():
            make_profile(member, headline="Rolled back")
            raise ValueError
    assert OutboxEntry.objects.count() == 1


def test_an_unreachable_meilisearch_postpones_updates_with_backoff(
    settings: Any, public_network: Any, member: Any, outsider: Any
) -> None:
    settings.MEILISEARCH_URL = "http://127.0.0.1:9"
    settings.MEILISEARCH_TIMEOUT = 1
    OutboxEntry.objects.all().delete()  # the fixtures' memberships, queued when services run
    make_profile(member, headline="Sage-femme")
    result = outbox.drain_all()
    assert result.sent == 0 and result.failed >= 1
    row = OutboxEntry.objects.get(object_id=member.pk)
    assert row.attempts == 1 and row.last_error
    assert outbox.drain_all().failed == 0  # not due yet: the backoff holds it
    # Meanwhile search falls back to the database, which is current.
    query = SearchQuery(MEMBERS, q="sage femme", network_ids=frozenset({public_network.pk}))
    found = run_search(query, Viewer.of(outsider))
    assert found.backend == "database" and [h.object_id for h in found.hits] == [member.pk]
    assert search_health() == "degraded"
    assert outbox.retry_failed_now() == 1
    assert OutboxEntry.objects.get(object_id=member.pk).last_error == ""


@pytest.mark.services
def test_meilisearch_stopped_mid_run_loses_no_update(
    settings: Any, public_network: Any, outsider: Any, api: Any
) -> None:
    url, key, pid, data = subprocess.run(  # noqa: S603
        [str(SCRIPT), "start"], check=True, capture_output=True, text=True
    ).stdout.split()
    try:
        settings.MEILISEARCH_URL, settings.MEILISEARCH_API_KEY = url, key
        settings.MEILISEARCH_INDEX_PREFIX = "outbox"
        outbox.forget_indexes()
        backend = SearchBackend("meilisearch")
        people = [make_user(f"diaspora{i}") for i in range(60)]
        for person in people[:10]:
            add_member(public_network, person)
        backend.sync()

        subprocess.run([str(SCRIPT), "stop", pid], check=True)  # noqa: S603
        assert search_health() == "degraded"
        # 100 changes while Meilisearch is down: 50 joins and 50 profile edits.
        for i, person in enumerate(people[10:]):
            add_member(public_network, person)
            make_profile(person, headline=f"Ingénieur aéronautique {marker(i)}")
        assert outbox.drain_all().failed > 0
        assert outbox.pending() == 100
        response = api(outsider).get("/api/v1/directory/", {"q": marker(7)})
        assert response.status_code == 200 and len(response.json()["results"]) == 1

        env = {"MEILI_PORT": url.rsplit(":", 1)[1], "MEILI_KEY": key, "MEILI_DIR": data}
        restarted = subprocess.run(  # noqa: S603
            [str(SCRIPT), "start"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        ).stdout.split()
        pid = restarted[2]
        assert search_health() == "ok"
        outbox.retry_failed_now()
        backend.sync()
        assert outbox.pending() == 0

        viewer = Viewer.of(outsider)
        scope = frozenset({public_network.pk})
        everyone = run_search(
            SearchQuery(MEMBERS, network_ids=scope, limit=200), viewer, "meilisearch"
        )
        assert {p.pk for p in people} <= {h.object_id for h in everyone.hits}
        for i in range(50):
            query = SearchQuery(MEMBERS, q=marker(i), network_ids=scope)
            hits = run_search(query, viewer, "meilisearch").hits
            assert len(hits) == 1, i
    finally:
        subprocess.run([str(SCRIPT), "stop", pid, data], check=False)  # noqa: S603
