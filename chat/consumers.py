"""The one websocket per client at /ws/: room and forum topic subscriptions, messages,
typing, presence.

Each frame is parsed, checked and handed to one action or query (through
`database_sync_to_async`); what a room or a watched topic broadcasts reaches the
socket through the process's hub (chat.hub), what is addressed to the user through
the `user.<id>` group. Bad frames get an `error` frame and the socket stays open; a
client that keeps misbehaving is closed with CLOSE_ABUSE. The frames are listed in
docs/websocket.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from chat import access, events, presence, queries
from chat.actions import messages as message_actions
from chat.actions import rooms as room_actions
from chat.hub import Hub, Subscription, TopicSubscription, encode, get_hub
from community.forums import access as forum_access
from community.models import Network
from config.errors import ActionError, NotFound
from config.events import network_group, room_group, user_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_ABUSE = 4008
# Errors within ABUSE_WINDOW seconds after which the socket is closed.
ABUSE_STRIKES = 20
ABUSE_WINDOW = 10.0
# Frames a subscribe replays at most; the rest is paged from the REST event log.
REPLAY_LIMIT = 1000
MAX_SUBSCRIPTIONS = 200
# Forum topics a socket may watch at once (a client watches the topics it shows).
MAX_TOPIC_SUBSCRIPTIONS = 200
# A user's typing notice in a room is forwarded at most this often per socket.
TYPING_INTERVAL = 3.0

WRITES = {"message.send", "message.edit", "message.delete", "reaction.add", "reaction.remove"}


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _field(frame: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    """A typed field of a frame (ints exclude booleans)."""
    if name not in frame or frame[name] is None:
        if required:
            raise FrameError("missing_field", f"The frame needs a {name!r} field.")
        return None
    value = frame[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FrameError(
            "invalid_field", f"{name!r} must be {'an integer' if kind is int else 'a string'}."
        )
    if isinstance(value, int) and value < 0:
        raise FrameError("invalid_field", f"{name!r} must not be negative.")
    return value


def _check_capacity(watched: dict[int, Any], key: int, limit: int, what: str) -> None:
    """A socket watches a bounded number of rooms (topics); watching one again is free."""
    if key not in watched and len(watched) >= limit:
        raise FrameError("too_many_subscriptions", f"A socket may watch at most {limit} {what}.")


def _connect_state(user: Any) -> tuple[dict[str, Any] | None, frozenset[int], frozenset[int]]:
    readable, members = queries.access_sets(user)
    # Only members are announced (presence) or type in rooms; others never need it.
    return (events.user_summary(user) if members else None), readable, members


def _cache_call(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Cache-only work (presence counts) runs on the thread pool, not on the one thread
    that serializes database work: a storm of disconnects must not delay handshakes."""
    return sync_to_async(fn, thread_sensitive=False)


def _subscribe_state(user: Any, room_id: int, after_seq: int | None) -> tuple[queries.Replay, int]:
    """The replay and unread count of `subscribed`: the room's seq and the user's unread
    count come from one query, the events (if any are missed) from a second."""
    seq, unread = queries.read_state(room_id, user.pk)
    return queries.replay(room_id, after_seq, REPLAY_LIMIT, seq=seq), unread


def _send(user: Any, room_id: int, body: str, client_id: str, reply_to: int | None) -> int:
    room = access.access_room(user, room_id)
    return message_actions.do_send_message(user, room, body, client_id, reply_to).message.pk


def _edit(user: Any, message_id: int, body: str) -> None:
    message_actions.do_edit_message(user, message_actions.access_message(user, message_id), body)


def _delete(user: Any, message_id: int) -> None:
    message_actions.do_delete_message(user, message_actions.access_message(user, message_id))


def _react(user: Any, message_id: int, emoji: str, add: bool) -> None:
    message = message_actions.access_message(user, message_id)
    if add:
        message_actions.do_add_reaction(user, message, emoji)
    else:
        message_actions.do_remove_reaction(user, message, emoji)


def _read(user: Any, room_id: int, message_id: int) -> None:
    room_actions.do_mark_read(user, access.access_room(user, room_id), message_id)


def _check_typing(user: Any, room_id: int) -> None:
    access.check_can_post(user, access.access_room(user, room_id))


def _topic_access(user: Any, topic_id: int) -> tuple[int, bool, bool]:
    """(network, moderates it, deleted) of a topic the user may read exactly as over REST
    (NotFound for a hidden, deleted or missing one alike)."""
    topic = forum_access.access_topic(user, topic_id)
    return topic.network_id, forum_access.may_see_deleted(user, topic.network), topic.deleted


def _moderated(user: Any, network_ids: set[int]) -> set[int]:
    """Of these networks, those whose deleted topics the user still reads (moderators)."""
    networks = Network.objects.filter(pk__in=network_ids)
    return {n.pk for n in networks if forum_access.may_see_deleted(user, n)}


async def announce(summary: dict[str, Any], networks: list[int], status: str) -> None:
    """Presence goes to each network the user belongs to; hubs deliver it once per socket."""
    layer = get_channel_layer()
    for network_id in networks:
        await layer.group_send(
            network_group(network_id),
            {
                "type": events.PRESENCE,
                "user": summary,
                "status": status,
                "networks": networks,
                "network": network_id,
            },
        )


async def _offline_after_grace(summary: dict[str, Any], networks: list[int]) -> None:
    await asyncio.sleep(presence.OFFLINE_GRACE)
    if await _cache_call(presence.settle_offline)(summary["id"]):
        await announce(summary, networks, "offline")


_background: set[asyncio.Task[Any]] = set()
_interned: dict[frozenset[int], frozenset[int]] = {}


def _later(coroutine: Any) -> None:
    """Run after this socket is gone (the task is kept referenced until it ends)."""
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


# Shared empty defaults: most sockets never subscribe, type or misbehave, and idle
# sockets are counted by the thousand (per-socket memory is a benchmark).
NO_ROOMS: dict[int, Subscription] = {}
NO_TOPICS: dict[int, TopicSubscription] = {}
NO_TYPING: dict[int, float] = {}


class ChatConsumer(AsyncJsonWebsocketConsumer):
    user_id: int
    hub: Hub
    summary: dict[str, Any] | None = None
    readable: frozenset[int] = frozenset()
    member_networks: frozenset[int] = frozenset()
    attached = False
    rooms: dict[int, Subscription] = NO_ROOMS
    topics: dict[int, TopicSubscription] = NO_TOPICS
    typing_at: dict[int, float] = NO_TYPING
    strikes: list[float] = []  # replaced on each error, never mutated in place

    # --- connection ---------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id = user.pk
        # Authenticated: finish the handshake now. Frames sent meanwhile wait until
        # connect() returns, and with no subscription yet there is nothing to revoke;
        # in a reconnect storm this keeps handshakes well inside daphne's timeout.
        await self.accept()
        summary, readable, self.member_networks = await database_sync_to_async(_connect_state)(user)
        self.summary = summary
        self.readable = self._shared_set(readable)
        online = await _cache_call(presence.connect)(user.pk)
        self.counted = True
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        self.hub = get_hub()
        await self.hub.attach(self)
        self.attached = True
        if online:
            await self._announce("online")

    async def disconnect(self, code: int) -> None:
        if self.attached:
            self.attached = False
            await self.hub.detach(self)
        if getattr(self, "counted", False):
            self.counted = False
            try:
                await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
            except Exception:
                # Left behind, the membership expires with the layer's group_expiry.
                logger.warning("could not leave %s", user_group(self.user_id), exc_info=True)
            last = await _cache_call(presence.disconnect)(self.user_id)
            if last and self.summary is not None:
                _later(_offline_after_grace(self.summary, sorted(self.member_networks)))

    def _shared_set(self, networks: frozenset[int]) -> frozenset[int]:
        """One shared frozenset per distinct set of networks (thousands of sockets read the
        same public networks)."""
        return _interned.setdefault(networks, networks)

    async def _summary(self) -> dict[str, Any]:
        if self.summary is None:
            self.summary = await database_sync_to_async(events.user_summary)(self.user)
        return self.summary

    async def _announce(self, status: str) -> None:
        if self.summary is not None:
            await announce(self.summary, sorted(self.member_networks), status)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Layer events this socket has no frame for (`directory.profile` to the user's
        group) are dropped: channels would raise, and the socket would close with it."""
        if not hasattr(self, get_handler_name(message)):
            logger.debug("no frame for %s", message.get("type"))
            return
        await super().dispatch(message)

    # --- sending ---------------------------------------------------------------------------

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return encode(content)

    async def send_text(self, text: str) -> None:
        """Write an already serialized frame (the hub serializes once for many sockets)."""
        await self.base_send({"type": "websocket.send", "text": text})

    async def send_error(self, code: str, message: str, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)
        now = time.monotonic()
        self.strikes = [*(t for t in self.strikes if now - t < ABUSE_WINDOW), now]
        if len(self.strikes) >= ABUSE_STRIKES:
            await self.close(code=CLOSE_ABUSE)

    # --- frames from the client ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error("binary_frame", "Send JSON text frames.")
            return
        if len(text_data) > settings.SHABAKA["MAX_FRAME_BYTES"] or (
            len(text_data.encode()) > settings.SHABAKA["MAX_FRAME_BYTES"]
        ):
            await self.send_error("frame_too_large", "Frames are limited to 16 KiB.")
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than ~1,000
            await self.send_error("malformed_json", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("invalid_frame", "A frame is a JSON object with a string type.")
            return
        kind = frame["type"][:64]
        handler = self.HANDLERS.get(kind)
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type {kind!r}.", ref=kind)
            return
        ref = frame.get("client_id") if isinstance(frame.get("client_id"), str) else kind
        try:
            if kind in WRITES:
                self._spend_token()
            await handler(self, frame)
        except (FrameError, ActionError) as exc:
            await self.send_error(exc.code, exc.message, ref=ref)
        except Exception:
            # One failed frame (a database or layer hiccup) must not drop the socket:
            # whatever was committed reaches the client through the room log.
            logger.exception("frame %s failed for user %s", kind, self.user_id)
            await self.send_error("server_error", "Something went wrong; try again.", ref=ref)

    def _spend_token(self) -> None:
        rate = settings.SHABAKA
        wait = self.hub.take_token(
            self.user_id, int(rate["CHAT_RATE_BURST"]), float(rate["CHAT_RATE_PER_SECOND"])
        )
        if wait:
            raise FrameError("rate_limited", f"Too many messages; retry in {wait:.1f} s.")

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        room_id = _field(frame, "room", int)
        after_seq = _field(frame, "after_seq", int, required=False)
        _check_capacity(self.rooms, room_id, MAX_SUBSCRIPTIONS, "rooms")
        room = await database_sync_to_async(access.access_room)(self.user, room_id)
        if self.rooms is NO_ROOMS:
            self.rooms = {}
        if room_id in self.rooms:
            # A resubscribe (the client saw a gap): start over from its after_seq.
            del self.rooms[room_id]
            await self.hub.unsubscribe(self, room_id)
        sub = await self.hub.subscribe(self, room.pk, room.network_id)
        self.rooms[room.pk] = sub
        replay, unread = await database_sync_to_async(_subscribe_state)(
            self.user, room.pk, after_seq
        )
        if self.rooms.get(room.pk) is not sub:
            return  # access was revoked meanwhile
        await self.send_json(
            {
                "type": "subscribed",
                "room": room.pk,
                "seq": replay.seq,
                "events": replay.events,
                "has_more": replay.has_more,
                "unread": unread,
            }
        )
        await self.hub.activate(sub, replay.seq)

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        room_id = _field(frame, "room", int)
        if room_id in self.rooms and self.rooms.pop(room_id, None) is not None:
            await self.hub.unsubscribe(self, room_id)
        await self.send_json({"type": "unsubscribed", "room": room_id})

    async def on_topic_subscribe(self, frame: dict[str, Any]) -> None:
        """Watch a forum topic: its forums.* events follow `topic.subscribed`.

        Forum events carry no seq: on `topic.subscribed` the client fetches what it may
        have missed through REST (`GET /api/v1/topics/{id}/posts/?after=`).
        """
        topic_id = _field(frame, "topic", int)
        _check_capacity(self.topics, topic_id, MAX_TOPIC_SUBSCRIPTIONS, "topics")
        readable = self.readable
        network_id, moderator, deleted = await database_sync_to_async(_topic_access)(
            self.user, topic_id
        )
        sub = self.topics.get(topic_id)
        if sub is None:
            sub = await self.hub.watch_topic(
                self, topic_id, network_id, moderator=moderator, deleted=deleted
            )
            if self.topics is NO_TOPICS:
                self.topics = {}
            self.topics[topic_id] = sub
        else:
            sub.moderator, sub.deleted = moderator, deleted
        if network_id in readable and network_id not in self.readable:
            # Access was revoked while the frame was being checked.
            self._unwatch_topic(topic_id)
            raise NotFound()
        await self.send_json(events.topic_frame(events.TOPIC_SUBSCRIBED, topic_id))

    async def on_topic_unsubscribe(self, frame: dict[str, Any]) -> None:
        topic_id = _field(frame, "topic", int)
        if self.topics.pop(topic_id, None) is not None:
            await self.hub.unwatch_topic(self, topic_id)
        await self.send_json(events.topic_frame(events.TOPIC_UNSUBSCRIBED, topic_id))

    async def on_send(self, frame: dict[str, Any]) -> None:
        room_id = _field(frame, "room", int)
        body = _field(frame, "body", str)
        client_id = _field(frame, "client_id", str)
        reply_to = _field(frame, "reply_to", int, required=False)
        message_id = await database_sync_to_async(_send)(
            self.user, room_id, body, client_id, reply_to
        )
        await self.send_json({"type": "message.ack", "client_id": client_id, "id": message_id})

    async def on_edit(self, frame: dict[str, Any]) -> None:
        message_id = _field(frame, "id", int)
        body = _field(frame, "body", str)
        await database_sync_to_async(_edit)(self.user, message_id, body)

    async def on_delete(self, frame: dict[str, Any]) -> None:
        await database_sync_to_async(_delete)(self.user, _field(frame, "id", int))

    async def on_reaction_add(self, frame: dict[str, Any]) -> None:
        message_id, emoji = _field(frame, "message", int), _field(frame, "emoji", str)
        await database_sync_to_async(_react)(self.user, message_id, emoji, True)

    async def on_reaction_remove(self, frame: dict[str, Any]) -> None:
        message_id, emoji = _field(frame, "message", int), _field(frame, "emoji", str)
        await database_sync_to_async(_react)(self.user, message_id, emoji, False)

    async def on_typing(self, frame: dict[str, Any]) -> None:
        room_id = _field(frame, "room", int)
        now = time.monotonic()
        if now - self.typing_at.get(room_id, -TYPING_INTERVAL) < TYPING_INTERVAL:
            return  # throttled: typing notices are hints, dropping extras is harmless
        await database_sync_to_async(_check_typing)(self.user, room_id)
        if self.typing_at is NO_TYPING:
            self.typing_at = {}
        self.typing_at[room_id] = now
        await self.channel_layer.group_send(
            room_group(room_id),
            {"type": events.TYPING, "room": room_id, "user": await self._summary()},
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        room_id = _field(frame, "room", int)
        message_id = _field(frame, "message_id", int)
        await database_sync_to_async(_read)(self.user, room_id, message_id)

    HANDLERS: dict[str, Callable[[ChatConsumer, dict[str, Any]], Awaitable[None]]] = {
        "ping": on_ping,
        "subscribe": on_subscribe,
        "unsubscribe": on_unsubscribe,
        "topic.subscribe": on_topic_subscribe,
        "topic.unsubscribe": on_topic_unsubscribe,
        "message.send": on_send,
        "message.edit": on_edit,
        "message.delete": on_delete,
        "reaction.add": on_reaction_add,
        "reaction.remove": on_reaction_remove,
        "typing": on_typing,
        "read": on_read,
    }

    # --- events addressed to this user (group user.<id>) ----------------------------------------

    async def access_revoked(self, event: dict[str, Any]) -> None:
        """Banned, removed or left: stop the network's rooms and topics now, then tell the
        client."""
        self._drop_network(event["network"])
        await self.send_json({"type": "access.revoked", "network": event["network"]})
        await self.refresh_access(announce=False)

    def _drop_network(self, network_id: int) -> None:
        for room_id, sub in list(self.rooms.items()):
            if sub.network == network_id:
                del self.rooms[room_id]
                self.hub.unsubscribe_now(self, room_id)
        for topic_id, topic_sub in list(self.topics.items()):
            if topic_sub.network == network_id:
                self._unwatch_topic(topic_id)

    def _unwatch_topic(self, topic_id: int) -> None:
        if self.topics.pop(topic_id, None) is not None:
            self.hub.unwatch_topic_now(self, topic_id)

    async def lose_topic(self, topic_id: int) -> None:
        """The topic closed to this user (deleted, and they do not moderate it)."""
        self._unwatch_topic(topic_id)
        await self.send_json({"type": "access.revoked", "topic": topic_id})

    async def refresh_access(self, *, announce: bool = True) -> None:
        """Re-read what the user may read (membership or visibility changed)."""
        if not self.attached:
            return
        readable, members = await database_sync_to_async(queries.access_sets)(self.user)
        old, self.readable, self.member_networks = (
            self.readable,
            self._shared_set(readable),
            members,
        )
        await self.hub.rewatch(self, old, readable)
        watched = {s.network for s in self.rooms.values() if s.network is not None}
        # Staff and owners read the topics of an archived network (never in `readable`), so
        # a topic closes only when its network leaves `readable` now.
        watched.update(s.network for s in self.topics.values() if s.network in old)
        for network_id in sorted(watched - readable):
            self._drop_network(network_id)
            if announce:
                await self.send_json({"type": "access.revoked", "network": network_id})
        await self._recheck_moderation()

    async def _recheck_moderation(self) -> None:
        """A moderator who lost the role stops watching deleted topics (moderators only)."""
        networks = {s.network for s in self.topics.values() if s.moderator}
        if not networks:
            return
        still = await database_sync_to_async(_moderated)(self.user, networks)
        for topic_id, sub in list(self.topics.items()):
            if sub.moderator and sub.network not in still:
                sub.moderator = False
                if sub.deleted:
                    await self.lose_topic(topic_id)

    async def community_membership(self, event: dict[str, Any]) -> None:
        """Membership changes of this user reach the client too (role, mute, approval)."""
        await self.send_json(
            {k: v for k, v in event.items() if k != "type"} | {"type": "membership"}
        )
        # A ban or removal is followed by its own access.revoked event, which tells the client.
        await self.refresh_access(announce=False)

    async def forums_mention(self, event: dict[str, Any]) -> None:
        """A post named this user (only active members of its network are named)."""
        await self.send_json({k: event[k] for k in ("type", "network", "topic", "post")})

    async def chat_unread(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "unread", "room": event["room"], "count": event["count"]})

    async def chat_activity(self, event: dict[str, Any]) -> None:
        """A direct room changed (direct rooms have no network group)."""
        self.hub.queue_unread(self, event["room"], event["author"])
