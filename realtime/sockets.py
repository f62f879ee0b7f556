"""Open websockets per user, counted across processes, so one user cannot hold hundreds.

Each socket claims a slot as it connects and frees it as it closes; a claim beyond
``settings.SHABAKA["MAX_SOCKETS_PER_USER"]`` is refused (the consumer closes the socket
with 4429).

On Redis (through the cache's client: no pool of its own) a user's slots are a sorted
set of socket ids scored by when each expires unless refreshed. A claim is one Lua
script — forget the expired ones, then add this one if the user is below the cap — so
two processes cannot both take the last slot. The hub refreshes the scores of its own
sockets every `HEARTBEAT` seconds: the sockets of a killed process stop counting after
`TTL`, and a Redis that restarted empty learns the open sockets again. Without Redis
(the embedded default, one process) the slots live in this process the same way.

When Redis cannot be reached the socket is let in (and it is logged): the cap bounds
abuse, and an outage of the counter must not keep every member out of chat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

TTL = 120.0
HEARTBEAT = 30.0

# KEYS[1] the user's set; ARGV: now, expires, socket id, cap, key ttl (ms).
_CLAIM = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zscore', KEYS[1], ARGV[3])
    or redis.call('zcard', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('zadd', KEYS[1], ARGV[2], ARGV[3])
  redis.call('pexpire', KEYS[1], ARGV[5])
  return 1
end
return 0
"""
_script: Any = None

# user → {socket id: expires} (without Redis).
_local: dict[int, dict[str, float]] = {}


def _redis() -> tuple[Any, RedisCache] | None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(None, write=True), backend  # type: ignore[attr-defined]
    return None


def _key(backend: RedisCache, user_id: int) -> str:
    return backend.make_key(f"chat:sockets:{user_id}")


def cap() -> int:
    return int(settings.SHABAKA["MAX_SOCKETS_PER_USER"])


def _claim_redis(client: Any, backend: RedisCache, user_id: int, socket_id: str) -> bool:
    global _script
    if _script is None:
        _script = client.register_script(_CLAIM)
    now = time.time()
    args = [now, now + TTL, socket_id, cap(), int(TTL * 2000)]
    try:
        return bool(_script(keys=[_key(backend, user_id)], args=args, client=client))
    except Exception:
        logger.warning("socket slots unreachable: letting user %s in", user_id, exc_info=True)
        return True


def _claim_local(user_id: int, socket_id: str) -> bool:
    now = time.time()
    slots = {s: t for s, t in _local.get(user_id, {}).items() if t > now}
    if socket_id not in slots and len(slots) >= cap():
        _local[user_id] = slots
        return False
    slots[socket_id] = now + TTL
    _local[user_id] = slots
    return True


def _release_redis(client: Any, backend: RedisCache, user_id: int, socket_id: str) -> None:
    try:
        client.zrem(_key(backend, user_id), socket_id)
    except Exception:
        logger.warning("socket slot of user %s left to expire", user_id, exc_info=True)


def _refresh_redis(client: Any, backend: RedisCache, sockets: list[tuple[int, str]]) -> None:
    expires = time.time() + TTL
    pipe = client.pipeline(transaction=False)
    for user_id, socket_id in sockets:
        key = _key(backend, user_id)
        pipe.zadd(key, {socket_id: expires})
        pipe.pexpire(key, int(TTL * 2000))
    try:
        pipe.execute()
    except Exception:
        logger.warning("socket slots not refreshed", exc_info=True)


async def claim(user_id: int, socket_id: str) -> bool:
    """Take a slot for this socket; False if the user already holds the cap."""
    redis = _redis()
    if redis is None:
        return _claim_local(user_id, socket_id)
    return await sync_to_async(_claim_redis, thread_sensitive=False)(*redis, user_id, socket_id)


async def release(user_id: int, socket_id: str) -> None:
    """Free the socket's slot (it closed)."""
    redis = _redis()
    if redis is None:
        slots = _local.get(user_id)
        if slots is not None:
            slots.pop(socket_id, None)
            if not slots:
                del _local[user_id]
        return
    await sync_to_async(_release_redis, thread_sensitive=False)(*redis, user_id, socket_id)


async def refresh(sockets: Iterable[tuple[int, str]]) -> None:
    """Keep these open sockets' slots (user, socket id) from expiring: the hub's heartbeat."""
    sockets = list(sockets)
    if not sockets:
        return
    redis = _redis()
    if redis is None:
        expires = time.time() + TTL
        for user_id, socket_id in sockets:
            _local.setdefault(user_id, {})[socket_id] = expires
        return
    await sync_to_async(_refresh_redis, thread_sensitive=False)(*redis, sockets)


def reset_all() -> None:
    """Forget this process's slots (tests; on Redis the slots go with the cache's keys)."""
    _local.clear()
