"""What a process watches through one layer group per id: rooms and forum topics.

The process joins `room.<id>` (`topic.<id>`) once, through its hub's channel, for
the first local watcher, and leaves it with the last one; the table maps each id to
its local state (who watches it). `realtime.hub.rooms` and `realtime.hub.topics` build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from realtime.consumers import ChatConsumer
    from realtime.hub import Hub


class Watched(Protocol):
    """What a process watches through one layer group: a room or a topic."""

    subs: dict[ChatConsumer, Any]


W = TypeVar("W", bound=Watched)


class GroupTable(Generic[W]):
    """The ids this process watches, each with its local state, joined once per process."""

    def __init__(self, hub: Hub, group: Callable[[int], str], make: Callable[[], W]) -> None:
        self.hub = hub
        self.group = group
        self.make = make
        self.states: dict[int, W] = {}

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

    async def unsubscribe(self, consumer: ChatConsumer, key: int) -> None:
        """Forget one watcher; the last local one leaves the group."""
        state = self.states.get(key)
        if state is None:
            return
        state.subs.pop(consumer, None)
        if state.subs:
            return
        async with self.hub.lock:
            if not state.subs and self.states.get(key) is state:
                del self.states[key]
                await self.hub.leave(self.group(key))

    def unsubscribe_now(self, consumer: ChatConsumer, key: int) -> None:
        """Stop delivering at once (access revoked); the group is left in the background."""
        state = self.states.get(key)
        if state is not None and state.subs.pop(consumer, None) is not None and not state.subs:
            self.hub.spawn(self.unsubscribe(consumer, key))

    def groups(self) -> list[str]:
        return [self.group(key) for key in self.states]

    def clear(self) -> None:
        self.states.clear()
