"""The hub's record of which network groups each socket was registered for.

A socket's `readable` set is the consumer's; the hub keeps its own record of what it
registered, so a socket that closes while its access is being re-read (the consumer
has already swapped `readable`, the hub has not yet re-registered it) leaves exactly
the groups it joined — none stay joined for a dead socket.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from realtime.hub.networks import Networks


class _Layer:
    def __init__(self) -> None:
        self.groups: set[str] = set()

    async def group_add(self, group: str, channel: str) -> None:
        self.groups.add(group)

    async def group_discard(self, group: str, channel: str) -> None:
        self.groups.discard(group)


class _Hub:
    def __init__(self) -> None:
        self.layer = _Layer()
        self.channel = "hub!1"
        self.lock = asyncio.Lock()
        self.connected: set[Any] = set()

    async def leave(self, group: str) -> None:
        await self.layer.group_discard(group, self.channel)


@dataclass(eq=False)
class _Socket:
    readable: frozenset[int]
    member_networks: frozenset[int] = field(default_factory=frozenset)
    user_id: int = 1


async def _registered(readable: frozenset[int]) -> tuple[_Hub, Networks, _Socket]:
    """A hub's network table with one connected socket registered for `readable`."""
    hub = _Hub()
    networks = Networks(hub)  # type: ignore[arg-type]
    socket = _Socket(readable=readable)
    hub.connected.add(socket)
    async with hub.lock:
        await networks.watch(socket, socket.readable)
    return hub, networks, socket


async def test_a_socket_closing_mid_refresh_leaves_every_group_it_joined() -> None:
    hub, networks, socket = await _registered(frozenset({1, 2}))
    assert hub.layer.groups == {"network.1", "network.2"}

    socket.readable = frozenset({1})  # the consumer re-read its access: network 2 is gone
    hub.connected.discard(socket)  # …and the socket closed before the hub re-registered it
    async with hub.lock:
        await networks.forget(socket)
    await networks.rewatch(socket, socket.readable)  # too late: the socket is gone

    assert hub.layer.groups == set()
    assert networks.readers == {} and networks.watched == {}


async def test_rewatch_moves_the_socket_between_groups() -> None:
    hub, networks, socket = await _registered(frozenset({1, 2}))
    await networks.rewatch(socket, frozenset({2, 3}))
    assert hub.layer.groups == {"network.2", "network.3"}
    assert networks.watched[socket] == {2, 3}
    assert set(networks.readers) == {2, 3}
