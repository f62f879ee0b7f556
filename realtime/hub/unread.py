"""Unread pushes for rooms a socket is not watching, batched per room.

A busy room's messages would otherwise cost one unread query and frame per message
per socket: activity is queued per room for `UNREAD_DEBOUNCE_SECONDS`, then the
counts of every waiting socket's user come from one query.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from channels.db import database_sync_to_async

from chat import queries
from chat.events import encode
from realtime.hub.protocol import Socket

if TYPE_CHECKING:
    from realtime.hub import Hub

# Unread pushes for rooms a socket is not watching are batched per room.
UNREAD_DEBOUNCE_SECONDS = 0.25


class UnreadBatches:
    """The sockets waiting for an unread push, by room."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.queued: dict[int, set[Socket]] = {}

    def queue(self, socket: Socket, room_id: int, author_id: int) -> None:
        """Batch an unread push for a socket that is not watching the room."""
        if socket.user_id == author_id or room_id in self.hub.rooms.of(socket):
            return
        queued = self.queued.get(room_id)
        if queued is None:
            queued = self.queued[room_id] = set()
            self.hub.spawn(self._flush(room_id))
        queued.add(socket)

    async def _flush(self, room_id: int) -> None:
        await asyncio.sleep(UNREAD_DEBOUNCE_SECONDS)
        waiting = self.queued.pop(room_id, set())
        rooms = self.hub.rooms
        sockets = [s for s in waiting if s in self.hub.connected and room_id not in rooms.of(s)]
        if not sockets:
            return
        counts = await database_sync_to_async(queries.unread_counts_for_users)(
            room_id, {s.user_id for s in sockets}
        )
        for socket in sockets:
            count = counts[socket.user_id]
            await socket.send_text(encode({"type": "unread", "room": room_id, "count": count}))

    def clear(self) -> None:
        self.queued.clear()
