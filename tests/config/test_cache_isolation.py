"""The suite's cache reset leaves other runs sharing the Redis server alone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.conftest import clear_cache


@pytest.mark.services
def test_clearing_the_cache_deletes_only_this_runs_keys() -> None:
    import redis

    server = redis.Redis.from_url(settings.REDIS_URL)
    server.set("another-run:key", "kept", ex=60)
    cache.set("ours", 1)

    clear_cache()

    assert cache.get("ours") is None
    assert server.get("another-run:key") == b"kept"
    server.delete("another-run:key")
