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
- `groups`: the table both build on (a group joined once per process);
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
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import events
from community.forums import events as forum_events
from core import presence
from core.events import user_group
from realtime import sockets
from realtime.hub.networks import Networks
from realtime.hub.rooms import Rooms, Subscription
from realtime.hub.topics import Topics, TopicSubscription
from realtime.hub.unread import UnreadBatches

if TYPE_CHECKING:
    from realtime.consumers import ChatConsumer

__all__ = ["Hub", "Subscription", "TopicSubscription", "get_hub"]

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

    Sockets reach the parts directly: `rooms` and `topics` (subscriptions),
    `networks` (what each socket reads) and `unread` (batched pushes). The hub's lock
    serializes attaching and detaching sockets and joining and leaving groups.
    """

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.consumers: set[ChatConsumer] = set()
        self.users: dict[int, int] = defaultdict(int)  # user → local sockets
        self.rooms = Rooms(self)
        self.topics = Topics(self)
        self.networks = Networks(self)
        self.unread = UnreadBatches(self)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.lock = asyncio.Lock()
        self.receiver: asyncio.Task[None] | None = None
        self.maintainer: asyncio.Task[None] | None = None

    # --- lifecycle -------------------------------------------------------------------

    async def attach(self, consumer: ChatConsumer) -> None:
        """Register a connected socket (starting the listener with the first one)."""
        async with self.lock:
            if self.receiver is None:
                self.channel = await self.layer.new_channel()
                self.receiver = asyncio.create_task(self._receive_loop())
                self.maintainer = asyncio.create_task(self._maintain())
                listeners = getattr(self.layer, "failure_listeners", None)
                if listeners is not None and self._layer_failed not in listeners:
                    listeners.append(self._layer_failed)
            self.consumers.add(consumer)
            self.users[consumer.user_id] += 1
            await self.networks.watch(consumer, consumer.readable)

    async def detach(self, consumer: ChatConsumer) -> None:
        """Forget a closed socket; the last one stops the listener and leaves every group."""
        for room_id in list(consumer.rooms):
            await self.rooms.unsubscribe(consumer, room_id)
        for topic_id in list(consumer.topics):
            await self.topics.unsubscribe(consumer, topic_id)
        async with self.lock:
            if consumer not in self.consumers:
                return
            self.consumers.discard(consumer)
            await self.networks.unwatch(consumer, consumer.readable)
            self.users[consumer.user_id] -= 1
            if self.users[consumer.user_id] <= 0:
                del self.users[consumer.user_id]
            if not self.consumers:
                await self._stop()

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
        elif kind == "community.network":
            self.networks.changed(message["network"])
        # Other network events (community.membership) reach the user's own sockets.

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
        for consumer in list(self.consumers):
            await self.layer.group_add(user_group(consumer.user_id), consumer.channel_name)

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
                        (c.user_id, c.channel_name) for c in self.consumers if c.slot
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
