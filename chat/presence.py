"""Who is online: a per-user count of open sockets, shared by every process via the cache.

A user is online from their first socket to their last, whichever processes hold
them, so closing one of several tabs announces nothing. The count lives in the
Django cache (Redis in production, so all processes share it); each process
refreshes the expiry of its users' counts, so a process that dies without closing
its sockets stops holding its users online once `PRESENCE_TTL` passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

PRESENCE_TTL = 30 * 60


def _key(user_id: int) -> str:
    return f"chat:presence:{user_id}"


def connect(user_id: int) -> bool:
    """Count a new socket; True if the user just came online."""
    key = _key(user_id)
    cache.add(key, 0, PRESENCE_TTL)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PRESENCE_TTL)
        count = 1
    cache.touch(key, PRESENCE_TTL)
    return count == 1


def disconnect(user_id: int) -> bool:
    """Count a closed socket; True if that was the user's last one."""
    key = _key(user_id)
    try:
        count = cache.decr(key)
    except ValueError:
        return True
    if count <= 0:
        cache.delete(key)
        return True
    return False


def is_online(user_id: int) -> bool:
    return bool(cache.get(_key(user_id)))


def refresh(user_ids: Iterable[int]) -> None:
    """Keep the counts of users with live sockets on this process from expiring."""
    for user_id in user_ids:
        cache.touch(_key(user_id), PRESENCE_TTL)
