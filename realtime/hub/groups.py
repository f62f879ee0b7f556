"""What a process watches through one layer group per id: rooms and forum topics.

The process joins `room.<id>` (`topic.<id>`) once, through its hub's channel, for
the first local watcher, and leaves it with the last one. A table holds both sides
of the one state: each id with its local watchers (what a layer event is written
to), and each socket with what it watches (what it may add, what a revoked network
or a closed socket drops). Every kind of subscription is a `Watch` in a
`GroupTable`: `realtime.hub.rooms` and `realtime.hub.topics` build on it, and a later
live feature plugs in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from realtime.hub.protocol import Socket

if TYPE_CHECKING:
    from realtime.hub import Hub


class Watch:
    """One socket watching one room or topic (`key`), in a network once that is known."""

    __slots__ = ("key", "network", "socket")

    def __init__(self, socket: Socket, key: int, network: int | None) -> None:
        self.socket = socket
        self.key = key
        self.network = network


S = TypeVar("S", bound=Watch)


class Watched(Generic[S]):
    """A room or topic with local watchers."""

    __slots__ = ("subs",)

    def __init__(self) -> None:
        self.subs: dict[Socket, S] = {}


W = TypeVar("W", bound=Watched[Any])

NOTHING: Mapping[int, Any] = MappingProxyType({})


class GroupTable(Generic[W, S]):
    """The ids this process watches, each with its local state, joined once per process,
    and what each socket watches."""

    def __init__(self, hub: Hub, group: Callable[[int], str], make: Callable[[], W]) -> None:
        self.hub = hub
        self.group = group
        self.make = make
        self.states: dict[int, W] = {}
        # Only sockets that watch something have an entry (most never do).
        self.by_socket: dict[Socket, dict[int, S]] = {}

    def of(self, socket: Socket) -> Mapping[int, S]:
        """What the socket watches, by id."""
        return self.by_socket.get(socket, NOTHING)

    def holds(self, sub: S) -> bool:
        """Whether the subscription is still the socket's (not dropped or replaced)."""
        return self.of(sub.socket).get(sub.key) is sub

    async def join(self, key: int) -> W:
        """The local state of a room or topic; the first local watcher joins its group.

        Call with the hub's lock held."""
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = self.make()
            try:
                await self.hub.layer.group_add(self.group(key), self.hub.channel)
            except Exception:
                del self.states[key]
                raise
        return state

    async def add(self, sub: S) -> S:
        """Watch for the socket, in place of any earlier subscription to the same id (a
        resubscribe keeps the group joined)."""
        async with self.hub.lock:
            state = await self.join(sub.key)
            state.subs[sub.socket] = sub
            self.by_socket.setdefault(sub.socket, {})[sub.key] = sub
            return sub

    def _forget(self, socket: Socket, key: int) -> bool:
        """Stop delivering to the socket at once; False if it was not watching."""
        subs = self.by_socket.get(socket)
        sub = subs.pop(key, None) if subs is not None else None
        if sub is None:
            return False
        if not subs:
            del self.by_socket[socket]
        state = self.states.get(key)
        if state is not None and state.subs.get(socket) is sub:
            del state.subs[socket]
        return True

    async def _leave_if_unwatched(self, key: int) -> None:
        """The last local watcher is gone: leave the group."""
        state = self.states.get(key)
        if state is None or state.subs:
            return
        async with self.hub.lock:
            if not state.subs and self.states.get(key) is state:
                del self.states[key]
                await self.hub.leave(self.group(key))

    async def unsubscribe(self, socket: Socket, key: int) -> None:
        """Forget one watcher; the last local one leaves the group."""
        self._forget(socket, key)
        await self._leave_if_unwatched(key)

    def unsubscribe_now(self, socket: Socket, key: int) -> None:
        """Stop delivering at once (access revoked); the group is left in the background."""
        if self._forget(socket, key):
            state = self.states.get(key)
            if state is not None and not state.subs:
                self.hub.spawn(self._leave_if_unwatched(key))

    def drop_network(self, socket: Socket, network_id: int) -> None:
        """Stop at once whatever the socket watches in the network."""
        for key, sub in list(self.of(socket).items()):
            if sub.network == network_id:
                self.unsubscribe_now(socket, key)

    async def detach(self, socket: Socket) -> None:
        """The socket closed: forget everything it watches."""
        for key in list(self.of(socket)):
            await self.unsubscribe(socket, key)

    def groups(self) -> list[str]:
        return [self.group(key) for key in self.states]

    def clear(self) -> None:
        self.states.clear()
        self.by_socket.clear()
