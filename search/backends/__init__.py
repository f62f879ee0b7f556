"""Search backends. Meilisearch when MEILISEARCH_URL is set, the database otherwise.

The database backend is always kept current (in the same transaction as every
change), so when Meilisearch is unreachable a search falls back to it at once and
`/healthz` reports `search: degraded` until Meilisearch answers again.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

from django.conf import settings

from search.backends.base import BackendUnavailable, SearchResult
from search.backends.database import DatabaseBackend
from search.backends.meili import MeilisearchBackend
from search.query import SearchQuery, Viewer

logger = logging.getLogger(__name__)

# After a failure, searches go straight to the database for this long instead of waiting
# for Meilisearch's timeout on every request.
RETRY_AFTER_SECONDS = 5.0

_down_until = 0.0


@lru_cache(maxsize=4)
def _meilisearch_client(url: str, key: str, timeout: float) -> Any:
    import meilisearch

    return meilisearch.Client(url, key or None, timeout=int(timeout) or 1)


def meilisearch_client() -> Any | None:
    """A client for the configured Meilisearch, built lazily; None when none is configured."""
    if not settings.MEILISEARCH_URL:
        return None
    return _meilisearch_client(
        settings.MEILISEARCH_URL, settings.MEILISEARCH_API_KEY, settings.MEILISEARCH_TIMEOUT
    )


def database_backend() -> DatabaseBackend:
    return DatabaseBackend()


def meilisearch_backend() -> MeilisearchBackend | None:
    client = meilisearch_client()
    return MeilisearchBackend(client) if client is not None else None


def mark_unavailable() -> None:
    global _down_until
    _down_until = time.monotonic() + RETRY_AFTER_SECONDS


def run_search(query: SearchQuery, viewer: Viewer, backend: str | None = None) -> SearchResult:
    """Search with the configured backend, or the database while Meilisearch is unreachable.

    `backend` forces one ("database" or "meilisearch"; tests and benchmarks compare them).
    """
    return run_searches([query], viewer, backend)[0]


def run_searches(
    queries: list[SearchQuery], viewer: Viewer, backend: str | None = None
) -> list[SearchResult]:
    """Several searches at once, as `run_search` answers each: on Meilisearch in one
    request (one multi-search), on the database one after another."""
    if backend != "database":
        meili = meilisearch_backend()
        if meili is not None and (backend == "meilisearch" or time.monotonic() >= _down_until):
            try:
                return meili.search_many(queries, viewer)
            except BackendUnavailable:
                if backend == "meilisearch":
                    raise
                logger.warning("Meilisearch unavailable; searching the database", exc_info=True)
                mark_unavailable()
    database = database_backend()
    return [database.search(query, viewer) for query in queries]


def search_health() -> str:
    """`ok` when the configured backend answers, `degraded` while search falls back to the DB."""
    client = meilisearch_client()
    if client is None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return "ok"
        except Exception:
            return "degraded"
    try:
        return "ok" if client.is_healthy() else "degraded"
    except Exception:
        logger.warning("Meilisearch health check failed", exc_info=True)
        return "degraded"


__all__ = [
    "BackendUnavailable",
    "SearchResult",
    "database_backend",
    "meilisearch_backend",
    "meilisearch_client",
    "run_search",
    "search_health",
]
