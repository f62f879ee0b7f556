"""Announcing who is online: to the networks of a user whose first socket opened or
whose last closed.

A user is online from their first socket to their last, whichever processes hold
them (the counts are core.presence, shared by every process through the cache), so
closing one of several tabs announces nothing. Going offline is announced
only after a grace period without any socket, so a reconnect (a phone changing
network, a restarted worker whose 500 sockets all come back) announces nothing
either — otherwise a storm of reconnects becomes a storm of presence frames to
everyone sharing a network.

The news goes to each network the user belongs to (`announce`); the hubs write it
once to each socket that shares one of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from chat import events
from core import presence as counts
from core.events import network_group

# Seconds without any socket before a user is announced offline.
OFFLINE_GRACE = 5.0


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
    if await cache_call(counts.settle_offline)(summary["id"]):
        await announce(summary, networks, "offline")
