"""The one websocket per client at /ws/: room and forum topic subscriptions, messages,
typing, presence.

Each frame is parsed, checked and handed to one action or query (through
`database_sync_to_async`); what a room or a watched topic broadcasts reaches the
socket through the process's hub (realtime.hub), what is addressed to the user through
the `user.<id>` group. Bad frames get an `error` frame and the socket stays open; a
client that keeps misbehaving is closed with CLOSE_ABUSE. The frames are listed in
docs/websocket.md.

This module owns the ChatConsumer: connecting, the handler of each frame, and the
events addressed to the user (access revoked, membership, mentions, unread). Reading
a frame's fields is realtime.frames; the database work behind each frame is
realtime.consumer_db; announcing presence is realtime.presence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from chat import access, events, limits, queries
from chat.events import encode
from core import presence as counts
from core.errors import ActionError, NotFound
from core.events import room_group, user_group
from realtime import consumer_db, presence, sockets
from realtime.auth import still_signed_in
from realtime.frames import FrameError, check_capacity, field, parse
from realtime.hub import Hub, get_hub

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_ABUSE = 4008
# The user already holds SHABAKA["MAX_SOCKETS_PER_USER"] open sockets (realtime.sockets).
CLOSE_TOO_MANY_SOCKETS = 4429
# The session or token the socket was opened with ended (accounts.signout).
CLOSE_SIGNED_OUT = 4403
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

_interned: dict[frozenset[int], frozenset[int]] = {}

# A shared empty default: most sockets never type or misbehave, and idle sockets are
# counted by the thousand (per-socket memory is a benchmark).
NO_TYPING: dict[int, float] = {}


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """One client's socket. What it watches is the hub's (one copy: `self.hub.rooms.of(self)`,
    `self.hub.topics.of(self)`); the socket meets the hub's `Socket` protocol."""

    user_id: int
    hub: Hub
    summary: dict[str, Any] | None = None
    readable: frozenset[int] = frozenset()
    member_networks: frozenset[int] = frozenset()
    attached = False
    slot = False  # holds one of the user's socket slots (realtime.sockets)
    typing_at: dict[int, float] = NO_TYPING
    strikes: list[float] = []  # replaced on each error, never mutated in place
    signed_out = False

    # --- connection ---------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id = user.pk
        self.hub = get_hub()
        # Authenticated: finish the handshake now. Frames sent meanwhile wait until
        # connect() returns, and with no subscription yet there is nothing to revoke;
        # in a reconnect storm this keeps handshakes well inside daphne's timeout.
        await self.accept()
        if not await sockets.claim(user.pk, self.channel_name):
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.slot = True
        summary, readable, self.member_networks = await database_sync_to_async(
            consumer_db.connect_state
        )(user)
        self.summary = summary
        self.readable = self._shared_set(readable)
        online = await presence.cache_call(counts.connect)(user.pk)
        self.counted = True
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        if not await still_signed_in(self.scope):
            # Signed out between reading the credential and joining the group, whose
            # `accounts.signed_out` this socket could not have heard.
            await self._close_signed_out()
            return
        await self.hub.attach(self)
        self.attached = True
        if online:
            await self._announce("online")

    async def disconnect(self, code: int) -> None:
        if self.slot:
            self.slot = False
            await sockets.release(self.user_id, self.channel_name)
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
            last = await presence.cache_call(counts.disconnect)(self.user_id)
            if last and self.summary is not None:
                presence.announce_offline_later(self.summary, sorted(self.member_networks))

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
            await presence.announce(self.summary, sorted(self.member_networks), status)

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

    async def send_error(
        self, code: str, message: str, ref: Any = None, retry_after: int | None = None
    ) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if ref is not None:
            frame["ref"] = ref
        if retry_after is not None:
            frame["retry_after"] = retry_after
        await self.send_json(frame)
        now = time.monotonic()
        self.strikes = [*(t for t in self.strikes if now - t < ABUSE_WINDOW), now]
        if len(self.strikes) >= ABUSE_STRIKES:
            await self.close(code=CLOSE_ABUSE)

    # --- frames from the client ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.slot or self.signed_out:
            # Refused at connect (too many sockets), or signed out: closing. A client may
            # keep sending until the close handshake times out; nothing it sends counts.
            return
        try:
            frame = parse(text_data, int(str(settings.SHABAKA["MAX_FRAME_BYTES"])))
        except FrameError as exc:
            await self.send_error(exc.code, exc.message)
            return
        kind = frame["type"][:64]
        handler = self.HANDLERS.get(kind)
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type {kind!r}.", ref=kind)
            return
        ref = frame.get("client_id") if isinstance(frame.get("client_id"), str) else kind
        try:
            await handler(self, frame)
        except (FrameError, ActionError) as exc:
            wait = getattr(exc, "retry_after", None)
            await self.send_error(exc.code, exc.message, ref=ref, retry_after=wait)
        except Exception:
            # One failed frame (a database or layer hiccup) must not drop the socket:
            # whatever was committed reaches the client through the room log.
            logger.exception("frame %s failed for user %s", kind, self.user_id)
            await self.send_error("server_error", "Something went wrong; try again.", ref=ref)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        room_id = field(frame, "room", int)
        after_seq = field(frame, "after_seq", int, required=False)
        check_capacity(self.hub.rooms.of(self), room_id, MAX_SUBSCRIPTIONS, "rooms")
        room = await database_sync_to_async(access.access_room)(self.user, room_id)
        if room.pk in self.hub.rooms.of(self):
            # A resubscribe (the client saw a gap): start over from its after_seq, and
            # from the database's seq if this was the room's only local watcher (the
            # room's state in this process may be what went wrong).
            await self.hub.rooms.unsubscribe(self, room.pk)
        sub = await self.hub.rooms.subscribe(self, room.pk, room.network_id)
        replay, unread, spent = await database_sync_to_async(consumer_db.subscribe_state)(
            self.user, room.pk, after_seq, REPLAY_LIMIT
        )
        if not self.hub.rooms.holds(sub):
            return  # access was revoked while the replay was read
        if not spent:
            # Subscribed all the same, without the replay: `has_more` says to page it later.
            refusal = limits.refused(spent, "replayed events")
            await self.send_error(
                refusal.code, refusal.message, ref="subscribe", retry_after=refusal.retry_after
            )
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
        await self.hub.rooms.activate(sub, replay.seq)

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        room_id = field(frame, "room", int)
        await self.hub.rooms.unsubscribe(self, room_id)
        await self.send_json({"type": "unsubscribed", "room": room_id})

    async def on_topic_subscribe(self, frame: dict[str, Any]) -> None:
        """Watch a forum topic: its forums.* events follow `topic.subscribed`.

        Forum events carry no seq: on `topic.subscribed` the client fetches what it may
        have missed through REST (`GET /api/v1/topics/{id}/posts/?after=`).
        """
        topic_id = field(frame, "topic", int)
        topics = self.hub.topics
        check_capacity(topics.of(self), topic_id, MAX_TOPIC_SUBSCRIPTIONS, "topics")
        # Watched before access is read (inactive until it passes), as rooms are joined
        # before their replay: a deletion committed after the check still reaches it.
        sub = await topics.watch(self, topic_id)
        readable = self.readable
        try:
            network_id, moderator, deleted = await database_sync_to_async(consumer_db.topic_access)(
                self.user, topic_id
            )
        except Exception:
            # Refused, or the database failed: either way no half-made watch stays behind.
            topics.abandon(sub)
            raise
        if not topics.admit(sub, network_id, moderator, deleted, readable):
            raise NotFound()
        await self.send_json(events.topic_frame(events.TOPIC_SUBSCRIBED, topic_id))

    async def on_topic_unsubscribe(self, frame: dict[str, Any]) -> None:
        topic_id = field(frame, "topic", int)
        await self.hub.topics.unsubscribe(self, topic_id)
        await self.send_json(events.topic_frame(events.TOPIC_UNSUBSCRIBED, topic_id))

    async def on_send(self, frame: dict[str, Any]) -> None:
        room_id = field(frame, "room", int)
        body = field(frame, "body", str)
        client_id = field(frame, "client_id", str)
        reply_to = field(frame, "reply_to", int, required=False)
        message_id = await database_sync_to_async(consumer_db.send_message)(
            self.user, room_id, body, client_id, reply_to
        )
        await self.send_json({"type": "message.ack", "client_id": client_id, "id": message_id})

    async def on_edit(self, frame: dict[str, Any]) -> None:
        message_id = field(frame, "id", int)
        body = field(frame, "body", str)
        await database_sync_to_async(consumer_db.edit_message)(self.user, message_id, body)

    async def on_delete(self, frame: dict[str, Any]) -> None:
        await database_sync_to_async(consumer_db.delete_message)(self.user, field(frame, "id", int))

    async def on_reaction_add(self, frame: dict[str, Any]) -> None:
        message_id, emoji = field(frame, "message", int), field(frame, "emoji", str)
        await database_sync_to_async(consumer_db.react)(self.user, message_id, emoji, True)

    async def on_reaction_remove(self, frame: dict[str, Any]) -> None:
        message_id, emoji = field(frame, "message", int), field(frame, "emoji", str)
        await database_sync_to_async(consumer_db.react)(self.user, message_id, emoji, False)

    async def on_typing(self, frame: dict[str, Any]) -> None:
        room_id = field(frame, "room", int)
        now = time.monotonic()
        if now - self.typing_at.get(room_id, -TYPING_INTERVAL) < TYPING_INTERVAL:
            return  # throttled: typing notices are hints, dropping extras is harmless
        await database_sync_to_async(consumer_db.check_typing)(self.user, room_id)
        if self.typing_at is NO_TYPING:
            self.typing_at = {}
        self.typing_at[room_id] = now
        await self.channel_layer.group_send(
            room_group(room_id),
            {"type": events.TYPING, "room": room_id, "user": await self._summary()},
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        room_id = field(frame, "room", int)
        message_id = field(frame, "message_id", int)
        await database_sync_to_async(consumer_db.mark_read)(self.user, room_id, message_id)

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
        client.

        The `community.membership` event sent just before has re-read the access already
        (the network left `member_networks`): reading it again would only repeat those
        queries. Only if that event was lost on the way is the access re-read here."""
        network_id = event["network"]
        self.hub.drop_network(self, network_id)
        await self.send_json({"type": "access.revoked", "network": network_id})
        if network_id in self.member_networks:
            await self.refresh_access(announce=False)

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
        lost = await self.hub.access_changed(self, old, self.readable)
        if announce:
            for network_id in lost:
                await self.send_json({"type": "access.revoked", "network": network_id})
        await self._recheck_moderation()

    async def _recheck_moderation(self) -> None:
        """A moderator who lost the role stops watching deleted topics (moderators only)."""
        networks = self.hub.topics.moderated_networks(self)
        if not networks:
            return
        still = await database_sync_to_async(consumer_db.moderated)(self.user, networks)
        await self.hub.topics.demote(self, still)

    async def accounts_signed_out(self, event: dict[str, Any]) -> None:
        """The credential this socket was opened with ended (None: every credential of the
        user did — password changed, account deactivated or deleted)."""
        credential = event.get("credential")
        if credential is None or credential == self.scope.get("credential"):
            await self._close_signed_out()

    async def _close_signed_out(self) -> None:
        """Stop at once: nothing more is delivered or acted on, then the socket closes."""
        self.signed_out = True
        if self.attached:
            self.attached = False
            await self.hub.detach(self)
        await self.close(code=CLOSE_SIGNED_OUT)

    async def community_membership(self, event: dict[str, Any]) -> None:
        """Membership changes of this user reach the client too (role, mute, approval)."""
        await self.send_json(
            {k: v for k, v in event.items() if k != "type"} | {"type": "membership"}
        )
        # The one access re-read of a ban or removal, whose own access.revoked event follows
        # and tells the client.
        await self.refresh_access(announce=False)

    async def forums_mention(self, event: dict[str, Any]) -> None:
        """A post named this user (only active members of its network are named)."""
        await self.send_json({k: event[k] for k in ("type", "network", "topic", "post")})

    async def notifications_new(self, event: dict[str, Any]) -> None:
        """A notification for this user (notifications.actions), with their new unread count."""
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread": event["unread"],
            }
        )

    async def notifications_read(self, event: dict[str, Any]) -> None:
        """Notifications marked read (on any of the user's sockets or pages): the new count."""
        await self.send_json(
            {k: v for k, v in event.items() if k != "type"} | {"type": "notifications.read"}
        )

    async def chat_unread(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "unread", "room": event["room"], "count": event["count"]})

    async def chat_activity(self, event: dict[str, Any]) -> None:
        """A direct room changed (direct rooms have no network group)."""
        self.hub.unread.queue(self, event["room"], event["author"])
