"""Process-local fan-out: one channel-layer listener per process, not one per socket.

A bare channels design gives every socket its own layer channel and group
membership, so a message in a room of 500 costs 500 layer messages, 500 queue hops,
500 handler calls and 500 `json.dumps`. Here each process joins a room's group once
(through its hub's channel); an event arrives once per process, is serialized once,
and the same text is written to every local socket subscribed to the room.

The hub also makes delivery gapless per room: the layer delivers at most once and
may reorder across processes, so the hub delivers seqs strictly in order, holds
early arrivals, and fetches missing seqs from the event log (every seq below a
visible one is committed — they are written under the room's row lock). After a
layer failure it re-joins its groups and catches every room up from the database,
and a periodic tail check catches drops that no later event reveals.

Forum topics are watched the same way (the process joins `topic.<id>` once and
writes each forum event to its local watchers), without the seq machinery: forum
events carry no seq, so after a layer failure every watcher is told
`topic.subscribed` again and catches up through REST.

Per-socket channels remain for what is addressed to a user (`user.<id>`: access
revoked, membership changes, unread counts), so a ban reaches every socket of the
user on every process at once.

This package's modules, each a part the hub owns:

- here, the `Hub` itself: attaching and detaching sockets (the first starts the
  listener, the last leaves every group), the layer receive loop and its dispatch,
  and recovery (resync after a layer failure, the periodic tail check and refresh);
- `rooms`: room subscriptions and the gapless seq machinery;
- `topics`: forum topic subscriptions;
- `groups`: the table both build on (a group joined once per process, and what each
  socket watches there);
- `protocol`: `Socket`, what the hub needs of a websocket (the consumer meets it);
- `networks`: the networks sockets read (presence, unread activity, visibility);
- `unread`: batched unread pushes.

The per-user budgets of writes and replays are not the hub's: they are shared by every
process (chat.limits), as are the users' socket slots (realtime.sockets), whose heartbeat
the hub beats for its sockets.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import events
from community import events as community_events
from community.forums import events as forum_events
from core import presence
from core.events import user_group
from realtime import sockets
from realtime.hub.groups import GroupTable
from realtime.hub.networks import Networks
from realtime.hub.protocol import Socket
from realtime.hub.rooms import Rooms, Subscription
from realtime.hub.topics import Topics, TopicSubscription
from realtime.hub.unread import UnreadBatches

__all__ = ["Hub", "Socket", "Subscription", "TopicSubscription", "get_hub"]

logger = logging.getLogger(__name__)

# How often a hub compares its rooms' delivered seq with the database (a dropped
# last event is otherwise only noticed when the next one arrives).
TAIL_CHECK_SECONDS = 5.0
# Group memberships expire in channels-redis after group_expiry (1 day by default);
# the hub re-adds its own and its sockets' memberships well before that.
REFRESH_SECONDS = 600.0
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


class Hub:
    """The process's listener: its layer channel, its sockets, and what they watch.

    The hub owns what each socket watches (the one copy of that state): sockets
    subscribe through the parts, `rooms` and `topics` (each a `GroupTable`, as any
    later kind of subscription will be), and the hub drops what a revoked network or a
    closed socket leaves; `networks` holds who reads each network and `unread` batches
    pushes. A socket is whatever meets `Socket` (realtime.hub.protocol). The hub's lock
    serializes attaching and detaching sockets and joining and leaving groups.
    """

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.connected: set[Socket] = set()
        self.users: dict[int, int] = defaultdict(int)  # user → local sockets
        self.rooms = Rooms(self)
        self.topics = Topics(self)
        self.tables: tuple[GroupTable[Any, Any], ...] = (self.rooms, self.topics)
        self.networks = Networks(self)
        self.unread = UnreadBatches(self)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.lock = asyncio.Lock()
        self.receiver: asyncio.Task[None] | None = None
        self.maintainer: asyncio.Task[None] | None = None

    # --- lifecycle -------------------------------------------------------------------

    async def attach(self, socket: Socket) -> None:
        """Register a connected socket (starting the listener with the first one)."""
        async with self.lock:
            if self.receiver is None:
                self.channel = await self.layer.new_channel()
                self.receiver = asyncio.create_task(self._receive_loop())
                self.maintainer = asyncio.create_task(self._maintain())
                listeners = getattr(self.layer, "failure_listeners", None)
                if listeners is not None and self._layer_failed not in listeners:
                    listeners.append(self._layer_failed)
            self.connected.add(socket)
            self.users[socket.user_id] += 1
            await self.networks.watch(socket, socket.readable)

    async def detach(self, socket: Socket) -> None:
        """Forget a closed socket; the last one stops the listener and leaves every group."""
        for table in self.tables:
            await table.detach(socket)
        async with self.lock:
            if socket not in self.connected:
                return
            self.connected.discard(socket)
            await self.networks.forget(socket)
            self.users[socket.user_id] -= 1
            if self.users[socket.user_id] <= 0:
                del self.users[socket.user_id]
            if not self.connected:
                await self._stop()

    # --- access ------------------------------------------------------------------------------

    def drop_network(self, socket: Socket, network_id: int) -> None:
        """Stop at once everything the socket watches in the network (access revoked)."""
        for table in self.tables:
            table.drop_network(socket, network_id)

    async def access_changed(
        self, socket: Socket, old: frozenset[int], new: frozenset[int]
    ) -> list[int]:
        """The socket's readable networks went from `old` to `new`: hear the right network
        groups, and drop what it watches in networks it no longer reads (returned)."""
        await self.networks.rewatch(socket, new)
        watched = {s.network for s in self.rooms.of(socket).values() if s.network is not None}
        # Staff and owners read the topics of an archived network (never in `readable`), so
        # a topic closes only when its network leaves `readable` now.
        watched.update(s.network for s in self.topics.of(socket).values() if s.network in old)
        lost = sorted(n for n in watched - new if n is not None)
        for network_id in lost:
            self.drop_network(socket, network_id)
        return lost

    def _layer_failed(self) -> None:
        """The layer lost its Redis connection (and retries): resync once it is back."""
        if self.receiver is not None:
            self.spawn(self.resync())

    async def _stop(self) -> None:
        listeners = getattr(self.layer, "failure_listeners", None)
        if listeners is not None and self._layer_failed in listeners:
            listeners.remove(self._layer_failed)
        for task in (self.receiver, self.maintainer, *self.tasks):
            if task is not None:
                task.cancel()
        self.receiver = self.maintainer = None
        self.tasks.clear()
        for group in self._groups():
            await self.leave(group)
        self.rooms.clear()
        self.topics.clear()
        self.networks.clear()
        self.unread.clear()
        self.channel = None

    def _groups(self) -> Iterator[str]:
        """The groups of the hub's channel: rooms, topics, networks (each read when reached)."""
        yield from self.rooms.groups()
        yield from self.topics.groups()
        yield from self.networks.groups()

    async def leave(self, group: str) -> None:
        try:
            await self.layer.group_discard(group, self.channel)
        except Exception:
            # A membership left behind expires with the layer's group_expiry.
            logger.warning("could not leave %s", group, exc_info=True)

    def spawn(self, coroutine: Any) -> None:
        """Run in the background (cancelled when the last socket leaves)."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- receiving from the layer ----------------------------------------------------------

    async def _receive_loop(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("channel layer receive failed; resyncing", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1
                self.spawn(self.resync())
                continue
            failures = 0
            try:
                await self._dispatch(message)
            except Exception:
                logger.exception("hub could not handle %s", message.get("type"))

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == events.ROOM_EVENT:
            await self._on_room_event(message["room"], message["seq"], message["frame"])
        elif kind == events.TYPING:
            await self.rooms.typing(message)
        elif kind == events.ACTIVITY:
            self.networks.activity(message)
        elif kind == events.PRESENCE:
            await self.networks.presence(message)
        elif kind in forum_events.TOPIC_EVENTS:
            await self.topics.receive(message)
        elif kind == community_events.NETWORK_CHANGED:
            self.networks.changed(message["network"])

    async def _on_room_event(self, room_id: int, seq: int, frame: dict[str, Any]) -> None:
        """One room event off the layer (tests drop or reorder them here, as a layer may)."""
        await self.rooms.receive(room_id, seq, frame)

    # --- recovery and upkeep ---------------------------------------------------------------

    async def resync(self) -> None:
        """After a layer failure: re-join every group, then catch each room up from the log."""
        for attempt in range(len(RETRY_SECONDS) * 4):
            try:
                await self._rejoin()
                break
            except Exception:
                logger.warning("channel layer still failing (attempt %s)", attempt + 1)
                await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
        # Forum events have no seq to repair from: their watchers catch up through REST.
        await self.topics.resubscribed()
        await self.check_tails()
        # Doorbells rung while the connection was down may still be on their way.
        await asyncio.sleep(RETRY_SECONDS[-1])
        await self.check_tails()

    async def _rejoin(self) -> None:
        if self.channel is None:
            return
        for group in self._groups():
            await self.layer.group_add(group, self.channel)
        for socket in list(self.connected):
            await self.layer.group_add(user_group(socket.user_id), socket.channel_name)

    async def check_tails(self) -> None:
        """Deliver anything the database holds beyond what each room has delivered."""
        await self.rooms.check_tails()

    async def _maintain(self) -> None:
        since_refresh = since_heartbeat = 0.0
        while True:
            await asyncio.sleep(TAIL_CHECK_SECONDS)
            since_refresh += TAIL_CHECK_SECONDS
            since_heartbeat += TAIL_CHECK_SECONDS
            try:
                if since_heartbeat >= sockets.HEARTBEAT:
                    since_heartbeat = 0.0
                    await sockets.refresh(
                        (s.user_id, s.channel_name) for s in self.connected if s.slot
                    )
                await self.check_tails()
                if since_refresh >= REFRESH_SECONDS:
                    since_refresh = 0.0
                    await self._rejoin()
                    await database_sync_to_async(presence.refresh)(list(self.users))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("hub upkeep failed", exc_info=True)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per process in daphne; one per test loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
