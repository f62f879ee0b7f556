"""Who is online: a per-user count of open sockets, shared by every process via the cache.

A user is online from their first socket to their last, whichever processes hold
them. The counts live in the Django cache (Redis in production, so all processes
share them). Each process refreshes the expiry of its users' keys; a process that
dies without closing its sockets stops holding its users online after
`PRESENCE_TTL`.

The websocket layer counts and announces (realtime.presence); pages read the counts
(`is_online`, the presence dots a room page starts with), which is why they live on
the ground floor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

PRESENCE_TTL = 30 * 60


def _count_key(user_id: int) -> str:
    return f"chat:presence:{user_id}"


def _announced_key(user_id: int) -> str:
    return f"chat:presence:announced:{user_id}"


def connect(user_id: int) -> bool:
    """Count a new socket; True if the user should now be announced online."""
    key = _count_key(user_id)
    cache.add(key, 0, PRESENCE_TTL)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PRESENCE_TTL)
    cache.touch(key, PRESENCE_TTL)
    # add() is atomic: of several first sockets on several processes, one announces.
    return bool(cache.add(_announced_key(user_id), 1, PRESENCE_TTL))


def disconnect(user_id: int) -> bool:
    """Count a closed socket; True if it was the user's last (check again after the grace)."""
    key = _count_key(user_id)
    try:
        count = cache.decr(key)
    except ValueError:
        return True
    if count <= 0:
        cache.delete(key)
        return True
    return False


def settle_offline(user_id: int) -> bool:
    """After the grace period: True if the user is still without sockets and must be
    announced offline (exactly one caller gets True)."""
    if is_online(user_id):
        return False
    if not cache.delete(_announced_key(user_id)):
        return False  # someone else announced it, or it was never announced
    if is_online(user_id):
        # A socket arrived meanwhile and, seeing the flag, announced nothing: keep it online.
        cache.add(_announced_key(user_id), 1, PRESENCE_TTL)
        return False
    return True


def is_online(user_id: int) -> bool:
    return bool(cache.get(_count_key(user_id)))


# Keys per MGET when many users are looked up at once (a fan-out to a big network).
ONLINE_CHUNK = 2_000


def online_among(user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` with an open socket now: one MGET per `ONLINE_CHUNK` ids on
    Redis (the in-memory cache looks them up one by one, in-process), never a round trip
    per user. What a fan-out to 50,000 members uses to push frames to the few online."""
    ids = list(dict.fromkeys(int(uid) for uid in user_ids))
    online: set[int] = set()
    redis = _redis_client()
    for start in range(0, len(ids), ONLINE_CHUNK):
        chunk = ids[start : start + ONLINE_CHUNK]
        if redis is None:
            keys = {_count_key(uid): uid for uid in chunk}
            counts = cache.get_many(list(keys))
            online.update(keys[key] for key, count in counts.items() if count)
            continue
        # The counts are stored raw (incr), so MGET's answers are the numbers themselves;
        # the keys are made without Django's per-key validation (50,000 of them).
        client, backend = redis
        values = client.mget([backend.make_key(_count_key(uid)) for uid in chunk])
        online.update(uid for uid, value in zip(chunk, values, strict=True) if value and int(value))
    return online


def _redis_client() -> tuple[Any, RedisCache] | None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(None), backend  # type: ignore[attr-defined]
    return None


def refresh(user_ids: Iterable[int]) -> None:
    """Keep the keys of users with live sockets on this process from expiring."""
    for user_id in user_ids:
        cache.touch(_count_key(user_id), PRESENCE_TTL)
        cache.touch(_announced_key(user_id), PRESENCE_TTL)
