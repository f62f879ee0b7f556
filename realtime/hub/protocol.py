"""What the hub needs of a websocket, named on the hub's own floor.

The consumer (realtime.consumers) is one implementation; no hub module imports it,
not even for types. The hub keeps each socket's subscriptions itself (one copy of
that state); from the socket it needs only who it is, where the user's own events
reach it, which networks it reads, a way to write a frame, and a way to have it
re-read its access when a network changes.
"""

from __future__ import annotations

from typing import Protocol


class Socket(Protocol):
    """A connected websocket as the hub sees it (hashable: the hub keys its tables by it)."""

    @property
    def user_id(self) -> int: ...

    @property
    def channel_name(self) -> str:
        """The socket's own layer channel (the user's group reaches it there)."""
        ...

    @property
    def slot(self) -> bool:
        """Whether it holds one of the user's socket slots (the hub beats their heartbeat)."""
        ...

    @property
    def readable(self) -> frozenset[int]:
        """The networks it may read (their groups bring presence, activity, changes)."""
        ...

    @property
    def member_networks(self) -> frozenset[int]:
        """The networks where its user is an active member (presence, unread pushes)."""
        ...

    async def send_text(self, text: str) -> None:
        """Write an already serialized frame."""
        ...

    async def refresh_access(self) -> None:
        """Re-read what the user may read (a network it reads changed), then tell the hub."""
        ...
