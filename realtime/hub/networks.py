"""The networks a process's sockets read: presence, unread activity and visibility changes.

The process joins `network.<id>` once for the first local socket that reads the
network and leaves it with the last. Through those groups arrive presence (written
once to each socket, for the lowest network id the two users share), room activity
(an unread push, batched by `realtime.hub.unread`) and visibility changes (each reader
re-reads its access).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chat.events import encode
from core.events import network_group
from realtime.hub.protocol import Socket

if TYPE_CHECKING:
    from realtime.hub import Hub


class Networks:
    """Which local sockets read each network (and so hear its group)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.readers: dict[int, set[Socket]] = defaultdict(set)  # network → sockets
        # socket → the networks it was registered for: the hub's own record, so a socket
        # that closes while its access is being re-read leaves exactly what it joined.
        self.watched: dict[Socket, frozenset[int]] = {}

    async def watch(self, socket: Socket, networks: Iterable[int]) -> None:
        """Call with the hub's lock held."""
        networks = frozenset(networks)
        self.watched[socket] = self.watched.get(socket, frozenset()) | networks
        for network_id in networks:
            watchers = self.readers[network_id]
            if not watchers:
                await self.hub.layer.group_add(network_group(network_id), self.hub.channel)
            watchers.add(socket)

    async def unwatch(self, socket: Socket, networks: Iterable[int]) -> None:
        """Call with the hub's lock held."""
        networks = frozenset(networks)
        left = self.watched.get(socket, frozenset()) - networks
        if left:
            self.watched[socket] = left
        else:
            self.watched.pop(socket, None)
        for network_id in networks:
            watchers = self.readers.get(network_id)
            if watchers is None:
                continue
            watchers.discard(socket)
            if not watchers:
                del self.readers[network_id]
                await self.hub.leave(network_group(network_id))

    async def forget(self, socket: Socket) -> None:
        """The socket closed: leave what it was registered for. Call with the hub's lock held."""
        await self.unwatch(socket, self.watched.get(socket, frozenset()))

    async def rewatch(self, socket: Socket, new: frozenset[int]) -> None:
        """The socket's readable networks changed (joined, left, banned, visibility)."""
        async with self.hub.lock:
            if socket in self.hub.connected:
                current = self.watched.get(socket, frozenset())
                await self.unwatch(socket, current - new)
                await self.watch(socket, new - current)

    def groups(self) -> list[str]:
        return [network_group(network_id) for network_id in self.readers]

    def clear(self) -> None:
        self.readers.clear()
        self.watched.clear()

    # --- events from the network groups --------------------------------------------------

    async def presence(self, message: dict[str, Any]) -> None:
        """Sent to each network group of the user; a socket takes only the copy of the
        lowest network id the two users share, so it hears the news once."""
        network_id = message["network"]
        user_id = message["user"]["id"]
        text = encode({"type": "presence", "user": message["user"], "status": message["status"]})
        for socket in list(self.readers.get(network_id, ())):
            if socket.user_id == user_id or network_id not in socket.member_networks:
                continue
            if min(n for n in message["networks"] if n in socket.member_networks) == network_id:
                await socket.send_text(text)

    def activity(self, message: dict[str, Any]) -> None:
        network_id = message.get("network")
        if network_id is None:
            return
        for socket in self.readers.get(network_id, ()):
            if network_id in socket.member_networks:
                self.hub.unread.queue(socket, message["room"], message["author"])

    def changed(self, network_id: int) -> None:
        """The network changed (visibility): every local reader re-reads its access."""
        for socket in list(self.readers.get(network_id, ())):
            self.hub.spawn(socket.refresh_access())
