"""Who is online: a per-user count of open sockets, shared by every process via the cache.

A user is online from their first socket to their last, whichever processes hold
them, so closing one of several tabs announces nothing. Going offline is announced
only after a grace period without any socket, so a reconnect (a phone changing
network, a restarted worker whose 500 sockets all come back) announces nothing
either — otherwise a storm of reconnects becomes a storm of presence frames to
everyone sharing a network.

The counts live in the Django cache (Redis in production, so all processes share
them). Each process refreshes the expiry of its users' keys; a process that dies
without closing its sockets stops holding its users online after `PRESENCE_TTL`.

The news goes to each network the user belongs to (`announce`); the hubs write it
once to each socket that shares one of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache

from chat import events
from core.events import network_group

PRESENCE_TTL = 30 * 60
# Seconds without any socket before a user is announced offline.
OFFLINE_GRACE = 5.0


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


def refresh(user_ids: Iterable[int]) -> None:
    """Keep the keys of users with live sockets on this process from expiring."""
    for user_id in user_ids:
        cache.touch(_count_key(user_id), PRESENCE_TTL)
        cache.touch(_announced_key(user_id), PRESENCE_TTL)


# --- announcing (async, from the sockets) ---------------------------------------------------


def cache_call(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Cache-only work (presence counts) runs on the thread pool, not on the one thread
    that serializes database work: a storm of disconnects must not delay handshakes."""
    return sync_to_async(fn, thread_sensitive=False)


async def announce(summary: dict[str, Any], networks: list[int], status: str) -> None:
    """Presence goes to each network the user belongs to; hubs deliver it once per socket."""
    layer = get_channel_layer()
    for network_id in networks:
        await layer.group_send(
            network_group(network_id),
            {
                "type": events.PRESENCE,
                "user": summary,
                "status": status,
                "networks": networks,
                "network": network_id,
            },
        )


_background: set[asyncio.Task[Any]] = set()


def announce_offline_later(summary: dict[str, Any], networks: list[int]) -> None:
    """After the grace period, announce the user offline unless a socket came back.

    Called as the last socket closes: the task outlives it, so it is kept referenced
    until it ends."""
    task = asyncio.ensure_future(_offline_after_grace(summary, networks))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _offline_after_grace(summary: dict[str, Any], networks: list[int]) -> None:
    await asyncio.sleep(OFFLINE_GRACE)
    if await cache_call(settle_offline)(summary["id"]):
        await announce(summary, networks, "offline")
