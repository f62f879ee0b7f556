"""Search backends. Meilisearch when MEILISEARCH_URL is set, the database otherwise."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


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
