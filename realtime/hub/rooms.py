"""The chat rooms a process watches: local subscribers, and gapless delivery in seq order.

The layer delivers at most once and may reorder across processes, so each room's
events are delivered strictly in seq order: early arrivals are held, missing seqs
are fetched from the event log (every seq below a visible one is committed — they
are written under the room's row lock), and a tail check (periodic, and after a
layer failure) catches drops that no later event reveals.

A new subscription buffers the room's live frames while the socket's replay is
read, then is activated: what arrived meanwhile beyond the replay is sent, and the
socket goes live. Each event is serialized once and the same text written to every
local subscriber; typing notices reach the room's live subscribers the same way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from chat import queries
from chat.events import encode
from core.events import room_group
from realtime.hub.groups import GroupTable, Watch, Watched
from realtime.hub.protocol import Socket

if TYPE_CHECKING:
    from realtime.hub import Hub

logger = logging.getLogger(__name__)


class Subscription(Watch):
    """One socket watching one room; `buffer` holds live frames while its replay is read."""

    __slots__ = ("buffer", "seq")

    def __init__(self, socket: Socket, room: int, network: int | None) -> None:
        super().__init__(socket, room, network)
        self.seq = 0
        self.buffer: list[tuple[int, str]] | None = []


class RoomState(Watched[Subscription]):
    """A room with local subscribers: who watches it, and how far it has been delivered."""

    __slots__ = ("filling", "last_seq", "pending")

    def __init__(self) -> None:
        super().__init__()
        # None until the first subscriber has read the room's seq from the database.
        self.last_seq: int | None = None
        self.pending: dict[int, dict[str, Any]] = {}
        self.filling = False


class Rooms(GroupTable[RoomState, Subscription]):
    """The rooms with local subscribers, each joined once through the hub's channel."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub, room_group, RoomState)

    async def subscribe(self, socket: Socket, room_id: int, network_id: int | None) -> Subscription:
        """Start buffering the room's live events for the socket (before its replay is read);
        subscribing again starts over (the client saw a gap)."""
        # Joined before the replay query, so no event can fall between the two.
        return await self.add(Subscription(socket, room_id, network_id))

    async def activate(self, sub: Subscription, seq: int) -> None:
        """The socket has its replay up to `seq`: send what arrived meanwhile, then go live."""
        sub.seq = seq
        while sub.buffer:
            event_seq, text = sub.buffer.pop(0)
            if event_seq > sub.seq:
                sub.seq = event_seq
                await sub.socket.send_text(text)
        sub.buffer = None
        state = self.states.get(sub.key)
        if state is not None and state.last_seq is None:
            state.last_seq = seq
            await self._advance(sub.key, state)

    # --- events from the layer ------------------------------------------------------------

    async def receive(self, room_id: int, seq: int, frame: dict[str, Any]) -> None:
        """A room event as the layer delivered it (at most once, maybe out of order)."""
        state = self.states.get(room_id)
        if state is None or (state.last_seq is not None and seq <= state.last_seq):
            return
        state.pending[seq] = frame
        if state.last_seq is not None:
            await self._advance(room_id, state)

    async def typing(self, message: dict[str, Any]) -> None:
        state = self.states.get(message["room"])
        if state is None:
            return
        text = encode({"type": "typing", "room": message["room"], "user": message["user"]})
        for sub in list(state.subs.values()):
            if sub.socket.user_id != message["user"]["id"] and sub.buffer is None:
                await sub.socket.send_text(text)

    async def check_tails(self) -> None:
        """Deliver anything the database holds beyond what each room has delivered."""
        live = {
            room_id: state for room_id, state in self.states.items() if state.last_seq is not None
        }
        if not live:
            return
        latest = await database_sync_to_async(queries.room_seqs)(list(live))
        for room_id, seq in latest.items():
            state = live[room_id]
            if self.states.get(room_id) is state and seq > (state.last_seq or 0):
                await self._advance(room_id, state, up_to=seq)

    # --- in order, without gaps -------------------------------------------------------------

    async def _drain(self, state: RoomState) -> None:
        """Deliver the consecutive seqs held in `pending`, dropping ones already delivered."""
        assert state.last_seq is not None
        for seq in [s for s in state.pending if s <= state.last_seq]:
            del state.pending[seq]
        while state.last_seq + 1 in state.pending:
            state.last_seq += 1
            await self._deliver(state, state.last_seq, state.pending.pop(state.last_seq))

    async def _advance(self, room_id: int, state: RoomState, up_to: int = 0) -> None:
        """Deliver what is in order; fetch from the log whatever is missing before the rest."""
        await self._drain(state)
        if (state.pending or up_to > (state.last_seq or 0)) and not state.filling:
            state.filling = True
            self.hub.spawn(self._fill(room_id, state, up_to))

    async def _fill(self, room_id: int, state: RoomState, up_to: int) -> None:
        try:
            while self.states.get(room_id) is state and state.last_seq is not None:
                target = max([up_to, *state.pending])
                if target <= state.last_seq:
                    break
                frames = await database_sync_to_async(queries.events_between)(
                    room_id, state.last_seq, target
                )
                for frame in frames:
                    if frame["seq"] > state.last_seq:
                        state.pending.setdefault(frame["seq"], frame)
                before = state.last_seq
                await self._drain(state)
                if state.last_seq == before:
                    break
        except Exception:
            # Left pending: the next event or the periodic tail check tries again.
            logger.exception("could not fill room %s from the event log", room_id)
        finally:
            state.filling = False

    async def _deliver(self, state: RoomState, seq: int, frame: dict[str, Any]) -> None:
        """Serialize once, write the same text to every local subscriber."""
        text = encode(frame)
        for sub in list(state.subs.values()):
            if sub.buffer is not None:
                sub.buffer.append((seq, text))
            elif seq > sub.seq:
                sub.seq = seq
                await sub.socket.send_text(text)
