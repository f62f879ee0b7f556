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
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import events, presence, queries
from community.forums import events as forum_events
from config.events import network_group, room_group, topic_group, user_group

if TYPE_CHECKING:
    from chat.consumers import ChatConsumer

logger = logging.getLogger(__name__)

# How often a hub compares its rooms' delivered seq with the database (a dropped
# last event is otherwise only noticed when the next one arrives).
TAIL_CHECK_SECONDS = 5.0
# Group memberships expire in channels-redis after group_expiry (1 day by default);
# the hub re-adds its own and its sockets' memberships well before that.
REFRESH_SECONDS = 600.0
# Unread pushes for rooms a socket is not watching are batched per room.
UNREAD_DEBOUNCE_SECONDS = 0.25
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Subscription:
    """One socket watching one room; `buffer` holds live frames while its replay is read."""

    __slots__ = ("buffer", "consumer", "network", "room", "seq")

    def __init__(self, consumer: ChatConsumer, room: int, network: int | None) -> None:
        self.consumer = consumer
        self.room = room
        self.network = network
        self.seq = 0
        self.buffer: list[tuple[int, str]] | None = []


class TopicSubscription:
    """One socket watching one forum topic.

    `moderator` and `deleted` decide what happens when the topic is deleted: only
    moderators keep watching a deleted topic (the consumer refreshes `moderator` when
    the user's role changes).
    """

    __slots__ = ("consumer", "deleted", "moderator", "network", "topic")

    def __init__(
        self, consumer: ChatConsumer, topic: int, network: int, *, moderator: bool, deleted: bool
    ) -> None:
        self.consumer = consumer
        self.topic = topic
        self.network = network
        self.moderator = moderator
        self.deleted = deleted


class Watched(Protocol):
    """What a process watches through one layer group: a room or a topic."""

    subs: dict[ChatConsumer, Any]


W = TypeVar("W", bound=Watched)


class TopicState:
    """A topic with local watchers."""

    __slots__ = ("subs",)

    def __init__(self) -> None:
        self.subs: dict[ChatConsumer, TopicSubscription] = {}


class RoomState:
    """A room with local subscribers: who watches it, and how far it has been delivered."""

    __slots__ = ("filling", "last_seq", "pending", "subs")

    def __init__(self) -> None:
        self.subs: dict[ChatConsumer, Subscription] = {}
        # None until the first subscriber has read the room's seq from the database.
        self.last_seq: int | None = None
        self.pending: dict[int, dict[str, Any]] = {}
        self.filling = False


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.consumers: set[ChatConsumer] = set()
        self.rooms: dict[int, RoomState] = {}
        self.topics: dict[int, TopicState] = {}
        self.readers: dict[int, set[ChatConsumer]] = defaultdict(set)  # network → sockets
        self.users: dict[int, int] = defaultdict(int)  # user → local sockets
        self.buckets: dict[int, list[float]] = {}  # user → [tokens, updated]
        self.unread_queue: dict[int, set[ChatConsumer]] = {}
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
            await self._watch(consumer, consumer.readable)

    async def detach(self, consumer: ChatConsumer) -> None:
        """Forget a closed socket; the last one stops the listener and leaves every group."""
        for room_id in list(consumer.rooms):
            await self.unsubscribe(consumer, room_id)
        for topic_id in list(consumer.topics):
            await self.unwatch_topic(consumer, topic_id)
        async with self.lock:
            if consumer not in self.consumers:
                return
            self.consumers.discard(consumer)
            await self._unwatch(consumer, consumer.readable)
            self.users[consumer.user_id] -= 1
            if self.users[consumer.user_id] <= 0:
                del self.users[consumer.user_id]
                self.buckets.pop(consumer.user_id, None)
            if not self.consumers:
                await self._stop()

    def _layer_failed(self) -> None:
        """The layer lost its Redis connection (and retries): resync once it is back."""
        if self.receiver is not None:
            self._spawn(self.resync())

    async def _stop(self) -> None:
        listeners = getattr(self.layer, "failure_listeners", None)
        if listeners is not None and self._layer_failed in listeners:
            listeners.remove(self._layer_failed)
        for task in (self.receiver, self.maintainer, *self.tasks):
            if task is not None:
                task.cancel()
        self.receiver = self.maintainer = None
        self.tasks.clear()
        for room_id in list(self.rooms):
            await self._leave(room_group(room_id))
        for topic_id in list(self.topics):
            await self._leave(topic_group(topic_id))
        for network_id in list(self.readers):
            await self._leave(network_group(network_id))
        self.rooms.clear()
        self.topics.clear()
        self.readers.clear()
        self.unread_queue.clear()
        self.channel = None

    async def _leave(self, group: str) -> None:
        try:
            await self.layer.group_discard(group, self.channel)
        except Exception:
            # A membership left behind expires with the layer's group_expiry.
            logger.warning("could not leave %s", group, exc_info=True)

    # --- networks a socket reads: unread counts, presence, visibility changes ---------

    async def _watch(self, consumer: ChatConsumer, networks: Iterable[int]) -> None:
        for network_id in networks:
            watchers = self.readers[network_id]
            if not watchers:
                await self.layer.group_add(network_group(network_id), self.channel)
            watchers.add(consumer)

    async def _unwatch(self, consumer: ChatConsumer, networks: Iterable[int]) -> None:
        for network_id in networks:
            watchers = self.readers.get(network_id)
            if watchers is None:
                continue
            watchers.discard(consumer)
            if not watchers:
                del self.readers[network_id]
                await self._leave(network_group(network_id))

    async def rewatch(
        self, consumer: ChatConsumer, old: frozenset[int], new: frozenset[int]
    ) -> None:
        """The socket's readable networks changed (joined, left, banned, visibility)."""
        async with self.lock:
            if consumer in self.consumers:
                await self._unwatch(consumer, old - new)
                await self._watch(consumer, new - old)

    # --- what this process watches through a layer group (rooms, topics) ----------------

    async def _join(self, table: dict[int, W], key: int, group: str, make: Callable[[], W]) -> W:
        """The local state of a room or topic; the first local watcher joins its group.

        Call with the lock held."""
        state = table.get(key)
        if state is None:
            state = table[key] = make()
            try:
                await self.layer.group_add(group, self.channel)
            except Exception:
                del table[key]
                raise
        return state

    async def _part(
        self, table: dict[int, W], key: int, group: str, consumer: ChatConsumer
    ) -> None:
        """Forget one watcher; the last local one leaves the group."""
        state = table.get(key)
        if state is None:
            return
        state.subs.pop(consumer, None)
        if state.subs:
            return
        async with self.lock:
            if not state.subs and table.get(key) is state:
                del table[key]
                await self._leave(group)

    def _part_now(self, table: dict[int, W], key: int, group: str, consumer: ChatConsumer) -> None:
        """Stop delivering at once (access revoked); the group is left in the background."""
        state = table.get(key)
        if state is not None and state.subs.pop(consumer, None) is not None and not state.subs:
            self._spawn(self._part(table, key, group, consumer))

    # --- room subscriptions -------------------------------------------------------------

    async def subscribe(
        self, consumer: ChatConsumer, room_id: int, network_id: int | None
    ) -> Subscription:
        """Start buffering the room's live events for the socket (before its replay is read)."""
        async with self.lock:
            # Joined before the replay query, so no event can fall between the two.
            state = await self._join(self.rooms, room_id, room_group(room_id), RoomState)
            sub = Subscription(consumer, room_id, network_id)
            state.subs[consumer] = sub
            return sub

    async def activate(self, sub: Subscription, seq: int) -> None:
        """The socket has its replay up to `seq`: send what arrived meanwhile, then go live."""
        sub.seq = seq
        while sub.buffer:
            event_seq, text = sub.buffer.pop(0)
            if event_seq > sub.seq:
                sub.seq = event_seq
                await sub.consumer.send_text(text)
        sub.buffer = None
        state = self.rooms.get(sub.room)
        if state is not None and state.last_seq is None:
            state.last_seq = seq
            await self._advance(sub.room, state)

    async def unsubscribe(self, consumer: ChatConsumer, room_id: int) -> None:
        await self._part(self.rooms, room_id, room_group(room_id), consumer)

    def unsubscribe_now(self, consumer: ChatConsumer, room_id: int) -> None:
        self._part_now(self.rooms, room_id, room_group(room_id), consumer)

    # --- topic subscriptions -------------------------------------------------------------

    async def watch_topic(
        self,
        consumer: ChatConsumer,
        topic_id: int,
        network_id: int,
        *,
        moderator: bool,
        deleted: bool,
    ) -> TopicSubscription:
        """Deliver the topic's forum events to the socket from now on."""
        async with self.lock:
            state = await self._join(self.topics, topic_id, topic_group(topic_id), TopicState)
            sub = TopicSubscription(
                consumer, topic_id, network_id, moderator=moderator, deleted=deleted
            )
            state.subs[consumer] = sub
            return sub

    async def unwatch_topic(self, consumer: ChatConsumer, topic_id: int) -> None:
        await self._part(self.topics, topic_id, topic_group(topic_id), consumer)

    def unwatch_topic_now(self, consumer: ChatConsumer, topic_id: int) -> None:
        self._part_now(self.topics, topic_id, topic_group(topic_id), consumer)

    # --- rate limit -----------------------------------------------------------------------

    def take_token(self, user_id: int, burst: int, per_second: float) -> float:
        """Spend one send token of the user's bucket; 0 if allowed, else seconds to wait."""
        now = time.monotonic()
        bucket = self.buckets.get(user_id)
        if bucket is None:
            bucket = self.buckets[user_id] = [float(burst), now]
        tokens = min(float(burst), bucket[0] + (now - bucket[1]) * per_second)
        bucket[1] = now
        if tokens >= 1:
            bucket[0] = tokens - 1
            return 0.0
        bucket[0] = tokens
        return (1 - tokens) / per_second if per_second > 0 else float("inf")

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
                self._spawn(self.resync())
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
            await self._on_typing(message)
        elif kind == events.ACTIVITY:
            self._on_activity(message)
        elif kind == events.PRESENCE:
            await self._on_presence(message)
        elif kind in forum_events.TOPIC_EVENTS:
            await self._on_topic_event(message)
        elif kind == "community.network":
            for consumer in list(self.readers.get(message["network"], ())):
                self._spawn(consumer.refresh_access())
        # Other network events (community.membership) reach the user's own sockets.

    async def _on_room_event(self, room_id: int, seq: int, frame: dict[str, Any]) -> None:
        state = self.rooms.get(room_id)
        if state is None or (state.last_seq is not None and seq <= state.last_seq):
            return
        state.pending[seq] = frame
        if state.last_seq is not None:
            await self._advance(room_id, state)

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
            self._spawn(self._fill(room_id, state, up_to))

    async def _fill(self, room_id: int, state: RoomState, up_to: int) -> None:
        try:
            while self.rooms.get(room_id) is state and state.last_seq is not None:
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
                await sub.consumer.send_text(text)

    async def _on_topic_event(self, message: dict[str, Any]) -> None:
        """A forum event is the frame itself: serialized once, written to every watcher.

        When the topic is deleted, everyone watching sees that, then only moderators
        keep watching: a deleted topic is closed to everyone else.
        """
        topic_id = forum_events.event_topic_id(message)
        state = self.topics.get(topic_id)
        if state is None:
            return
        text = encode(message)
        closed: bool | None = None
        if message["type"] == forum_events.TOPIC_UPDATED:
            closed = bool(message["topic"].get("deleted"))
        for sub in list(state.subs.values()):
            await sub.consumer.send_text(text)
            if closed is not None:
                sub.deleted = closed
                if closed and not sub.moderator:
                    await sub.consumer.lose_topic(topic_id)

    async def _on_typing(self, message: dict[str, Any]) -> None:
        state = self.rooms.get(message["room"])
        if state is None:
            return
        text = encode({"type": "typing", "room": message["room"], "user": message["user"]})
        for sub in list(state.subs.values()):
            if sub.consumer.user_id != message["user"]["id"] and sub.buffer is None:
                await sub.consumer.send_text(text)

    async def _on_presence(self, message: dict[str, Any]) -> None:
        """Sent to each network group of the user; a socket takes only the copy of the
        lowest network id the two users share, so it hears the news once."""
        network_id = message["network"]
        user_id = message["user"]["id"]
        text = encode({"type": "presence", "user": message["user"], "status": message["status"]})
        for consumer in list(self.readers.get(network_id, ())):
            if consumer.user_id == user_id or network_id not in consumer.member_networks:
                continue
            if min(n for n in message["networks"] if n in consumer.member_networks) == network_id:
                await consumer.send_text(text)

    def _on_activity(self, message: dict[str, Any]) -> None:
        network_id = message.get("network")
        if network_id is None:
            return
        for consumer in self.readers.get(network_id, ()):
            if network_id in consumer.member_networks:
                self.queue_unread(consumer, message["room"], message["author"])

    def queue_unread(self, consumer: ChatConsumer, room_id: int, author_id: int) -> None:
        """Batch an unread push for a socket that is not watching the room."""
        if consumer.user_id == author_id or room_id in consumer.rooms:
            return
        queued = self.unread_queue.get(room_id)
        if queued is None:
            queued = self.unread_queue[room_id] = set()
            self._spawn(self._flush_unread(room_id))
        queued.add(consumer)

    async def _flush_unread(self, room_id: int) -> None:
        await asyncio.sleep(UNREAD_DEBOUNCE_SECONDS)
        waiting = self.unread_queue.pop(room_id, set())
        consumers = [c for c in waiting if c in self.consumers and room_id not in c.rooms]
        if not consumers:
            return
        counts = await database_sync_to_async(queries.unread_counts_for_users)(
            room_id, {c.user_id for c in consumers}
        )
        for consumer in consumers:
            count = counts[consumer.user_id]
            await consumer.send_text(encode({"type": "unread", "room": room_id, "count": count}))

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
        await self._topics_resubscribed()
        await self.check_tails()
        # Doorbells rung while the connection was down may still be on their way.
        await asyncio.sleep(RETRY_SECONDS[-1])
        await self.check_tails()

    async def _rejoin(self) -> None:
        if self.channel is None:
            return
        for room_id in list(self.rooms):
            await self.layer.group_add(room_group(room_id), self.channel)
        for topic_id in list(self.topics):
            await self.layer.group_add(topic_group(topic_id), self.channel)
        for network_id in list(self.readers):
            await self.layer.group_add(network_group(network_id), self.channel)
        for consumer in list(self.consumers):
            await self.layer.group_add(user_group(consumer.user_id), consumer.channel_name)

    async def _topics_resubscribed(self) -> None:
        """Tell every topic watcher it is live again: what it missed is fetched through REST."""
        for topic_id, state in list(self.topics.items()):
            text = encode(events.topic_frame(events.TOPIC_SUBSCRIBED, topic_id))
            for sub in list(state.subs.values()):
                await sub.consumer.send_text(text)

    async def check_tails(self) -> None:
        """Deliver anything the database holds beyond what each room has delivered."""
        live = {
            room_id: state for room_id, state in self.rooms.items() if state.last_seq is not None
        }
        if not live:
            return
        latest = await database_sync_to_async(queries.room_seqs)(list(live))
        for room_id, seq in latest.items():
            state = live[room_id]
            if self.rooms.get(room_id) is state and seq > (state.last_seq or 0):
                await self._advance(room_id, state, up_to=seq)

    async def _maintain(self) -> None:
        since_refresh = 0.0
        while True:
            await asyncio.sleep(TAIL_CHECK_SECONDS)
            since_refresh += TAIL_CHECK_SECONDS
            try:
                await self.check_tails()
                if since_refresh >= REFRESH_SECONDS:
                    since_refresh = 0.0
                    await self._rejoin()
                    await database_sync_to_async(presence.refresh)(list(self.users))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("hub upkeep failed", exc_info=True)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per process in daphne; one per test loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
