"""The shapes of chat's real-time events: client frames (and their one encoding, `encode`)
and the layer events that carry them.

A room change is stored as the exact frame clients receive (`RoomEvent.payload`),
so the live path and the replay path send the same bytes. Layer events wrap a frame
with routing fields; their `type` names the handler (`chat.room_event` →
`chat_room_event`).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from accounts.actions import display_name
from chat.models import Message
from directory.photos import avatar_url

# Layer event types (handler names with "_" for ".").
ROOM_EVENT = "chat.room_event"  # room group → each process's hub: one stored frame
TYPING = "chat.typing"  # room group → hub: not stored
ACTIVITY = "chat.activity"  # network group → hub (or user group for DMs): unread changed
PRESENCE = "chat.presence"  # network groups → hub: a user came online or went offline
UNREAD = "chat.unread"  # user group → every socket of the user

# Frames of forum topic subscriptions (the events themselves: community.forums.events).
TOPIC_SUBSCRIBED = "topic.subscribed"
TOPIC_UNSUBSCRIBED = "topic.unsubscribed"


def encode(frame: dict[str, Any]) -> str:
    """A frame as written to sockets: compact JSON, non-ASCII as is (the hub serializes once
    for every local socket)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def user_summary(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": display_name(user),
        "avatar": avatar_url(user),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def message_payload(message: Message) -> dict[str, Any]:
    """A message as every client sees it; a deleted message keeps its place, not its words."""
    return {
        "id": message.pk,
        "room": message.room_id,
        "seq": message.seq,
        "author": user_summary(message.author),
        "body": "" if message.deleted else message.body,
        "body_html": "" if message.deleted else message.body_html,
        "created_at": _iso(message.created_at),
        "edited_at": _iso(message.edited_at),
        "deleted": message.deleted,
        "client_id": message.client_id or None,
        "reply_to": message.reply_to_id,
    }


def message_frame(kind: str, seq: int, message: Message) -> dict[str, Any]:
    """`message.new`, `message.edited` or `message.deleted`."""
    return {"type": kind, "room": message.room_id, "seq": seq, "message": message_payload(message)}


def reaction_frame(
    kind: str, seq: int, message: Message, emoji: str, user: AbstractBaseUser
) -> dict[str, Any]:
    """`reaction.added` or `reaction.removed`."""
    return {
        "type": kind,
        "room": message.room_id,
        "seq": seq,
        "message": message.pk,
        "emoji": emoji,
        "user": user_summary(user),
    }


def topic_frame(kind: str, topic_id: int) -> dict[str, Any]:
    """`topic.subscribed` or `topic.unsubscribed`."""
    return {"type": kind, "topic": topic_id}


def room_event(frame: dict[str, Any]) -> dict[str, Any]:
    return {"type": ROOM_EVENT, "room": frame["room"], "seq": frame["seq"], "frame": frame}
