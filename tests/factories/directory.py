"""Profiles (through the real action) and the two search backends to run tests against."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

from directory import actions
from directory.models import Profile
from search import outbox, registry

BACKENDS = [
    pytest.param("database", id="database"),
    pytest.param("meilisearch", id="meilisearch", marks=pytest.mark.services),
]


def make_profile(user: Any, actor: Any = None, **fields: Any) -> Profile:
    """Set profile fields through the real action, as the owner (or as `actor`, e.g. staff)."""
    return actions.do_update_profile(actor or user, user, fields)


@dataclass
class SearchBackend:
    """The backend a test runs against; `sync()` makes every committed change searchable."""

    name: str

    def sync(self) -> None:
        if self.name == "meilisearch":
            result = outbox.drain_all()
            assert not result.failed, result.error
            assert outbox.pending() == 0


def use_backend(name: str, settings: Any) -> SearchBackend:
    """Point the app at one backend: Meilisearch on fresh, empty indexes, or the database only."""
    if name == "database":
        settings.MEILISEARCH_URL = ""
        return SearchBackend(name)
    url = os.environ.get("MEILISEARCH_URL")
    if not url:
        pytest.skip("MEILISEARCH_URL is not set (scripts/meilisearch.sh start)")
    settings.MEILISEARCH_URL = url
    settings.MEILISEARCH_API_KEY = os.environ.get("MEILISEARCH_API_KEY", "")
    settings.MEILISEARCH_INDEX_PREFIX = os.environ.get("MEILISEARCH_INDEX_PREFIX", "shabaka-test")
    from search.backends import meilisearch_backend
    from search.backends.meili import index_uid

    meili = meilisearch_backend()
    assert meili is not None
    outbox.forget_indexes()
    tasks = []
    for kind in registry.all_types():
        meili.ensure_index(kind)
        tasks.append(meili.client.index(index_uid(kind.name)).delete_all_documents().task_uid)
    meili.wait(tasks)
    return SearchBackend(name)
