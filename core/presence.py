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


# Ids per look-up when many users are asked about at once (a fan-out to a big network):
# on Redis each chunk is one script call of a few milliseconds.
ONLINE_CHUNK = 5_000

# ARGV[1] the count keys' prefix, ARGV[2] user ids separated by commas → those whose
# count is above 0. The ids travel as one argument and the answer holds only the online:
# 50,000 keys sent and 50,000 answers parsed one by one cost redis-py ~0.6 s.
_ONLINE = """
local online = {}
for id in string.gmatch(ARGV[2], '%d+') do
  local count = tonumber(redis.call('GET', ARGV[1] .. id))
  if count and count > 0 then online[#online + 1] = id end
end
return online
"""
_script: Any = None


def online_among(user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` with an open socket now, in one Redis script call per
    `ONLINE_CHUNK` ids (the in-memory cache looks them up in-process), never a round
    trip per user: what a fan-out to 50,000 members uses to frame only the few online."""
    ids = list(dict.fromkeys(int(uid) for uid in user_ids))
    chunks = [ids[start : start + ONLINE_CHUNK] for start in range(0, len(ids), ONLINE_CHUNK)]
    redis = _redis_prefix()
    if redis is None:
        online: set[int] = set()
        for chunk in chunks:
            keys = {_count_key(uid): uid for uid in chunk}
            counts = cache.get_many(list(keys))
            online.update(keys[key] for key, count in counts.items() if count)
        return online
    client, prefix = redis
    global _script
    if _script is None:
        _script = client.register_script(_ONLINE)
    return {
        int(uid)
        for chunk in chunks
        for uid in _script(args=[prefix, ",".join(map(str, chunk))], client=client)
    }


def _redis_prefix() -> tuple[Any, str] | None:
    """The Redis client and the prefix that makes a user id its count's key, when the
    cache is Redis with keys built by concatenation (Django's default key function)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    prefix = backend.make_key(_count_key(0))[:-1]
    if backend.make_key(_count_key(12345)) != f"{prefix}12345":
        return None
    return backend._cache.get_client(None), prefix  # type: ignore[attr-defined]


def refresh(user_ids: Iterable[int]) -> None:
    """Keep the keys of users with live sockets on this process from expiring."""
    for user_id in user_ids:
        cache.touch(_count_key(user_id), PRESENCE_TTL)
        cache.touch(_announced_key(user_id), PRESENCE_TTL)
