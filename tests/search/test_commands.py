"""search_reindex and search_worker."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from directory.search import MEMBERS
from search import outbox
from search.backends import run_search
from search.models import Document, IndexState, OutboxEntry
from search.query import SearchQuery, Viewer
from tests.factories.directory import SearchBackend, make_profile


def found(network: Any, user: Any, q: str, backend: str) -> list[int]:
    query = SearchQuery(MEMBERS, q=q, network_ids=frozenset({network.pk}))
    return [hit.object_id for hit in run_search(query, Viewer.of(user), backend).hits]


def test_reindex_rebuilds_the_database_index_with_a_progress_bar(
    database_only: SearchBackend, public_network: Any, member: Any, outsider: Any
) -> None:
    make_profile(member, headline="Géologue")
    Document.objects.all().delete()
    assert found(public_network, outsider, "geologue", "database") == []
    out = StringIO()
    call_command("search_reindex", "--backend", "database", stdout=out)
    assert "100%" in out.getvalue() and "members → database" in out.getvalue()
    assert found(public_network, outsider, "geologue", "database") == [member.pk]


def test_reindex_refuses_unknown_types(database_only: SearchBackend) -> None:
    with pytest.raises(CommandError, match="Unknown types"):
        call_command("search_reindex", "--type", "films", stdout=StringIO())


def test_the_worker_needs_meilisearch(database_only: SearchBackend) -> None:
    with pytest.raises(CommandError, match="MEILISEARCH_URL is not set"):
        call_command("search_worker", "--once", stdout=StringIO())


@pytest.mark.services
def test_reindex_swaps_a_fresh_meilisearch_index_in(
    backend_meilisearch: SearchBackend, public_network: Any, member: Any, outsider: Any
) -> None:
    make_profile(member, headline="Océanographe")
    OutboxEntry.objects.all().delete()  # as if the update had been lost before the outbox
    assert found(public_network, outsider, "oceanographe", "meilisearch") == []
    call_command("search_reindex", "--backend", "meilisearch", stdout=StringIO())
    assert found(public_network, outsider, "oceanographe", "meilisearch") == [member.pk]
    assert not IndexState.objects.filter(paused_until__isnull=False).exists()


@pytest.mark.services
def test_the_worker_drains_the_outbox(
    backend_meilisearch: SearchBackend, public_network: Any, member: Any, outsider: Any
) -> None:
    backend_meilisearch.sync()
    make_profile(member, headline="Vulcanologue")
    assert outbox.pending() == 1
    out = StringIO()
    call_command("search_worker", "--once", stdout=out)
    assert "sent 1 updates" in out.getvalue() and outbox.pending() == 0
    assert found(public_network, outsider, "vulcanologue", "meilisearch") == [member.pk]
