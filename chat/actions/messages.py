"""Sending, editing and deleting messages, and reacting to them.

Each action validates (`check_*` via chat.access), writes the rows and the room
event under the room's row lock, notifies (`chat.actions.notify`: mentions, the delayed
direct-message check) in the same transaction, and broadcasts after commit. The websocket
consumer and the REST views both call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat import access, events, limits, tasks
from chat.access import AnyUser
from chat.actions.log import (
    announce_activity,
    lock_next_seq,
    record_event,
    rewrite_message_frames,
)
from chat.actions.notify import direct_message_delay, notify_mentions, render_message
from chat.models import Message, Reaction, Room, RoomEvent
from chat.search import MESSAGES
from community.actions.common import audit
from community.emoji import check_emoji
from core import jobs
from core.errors import InvalidInput, NotAllowed, NotFound, StateConflict, TooLarge
from core.validation import is_int
from search import outbox as search_outbox

MAX_CLIENT_ID = 64
# A message's length as a person counts it: characters (code points), as Zulip does (at
# the same 10,000). At 4 bytes a character at most, that is 40,000 bytes of UTF-8: always
# within what is stored and indexed (core.validation.MAX_BODY_BYTES).
MAX_MESSAGE_CHARS = 10_000
Type = RoomEvent.Type


@dataclass(frozen=True)
class SendResult:
    """The stored message and whether this call created it (False: a retried client_id)."""

    message: Message
    created: bool


def clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise InvalidInput("invalid", "body must be a string.", {"body": ["Not a string."]})
    if not body.strip():
        raise InvalidInput("invalid", "The message is empty.", {"body": ["Empty."]})
    if len(body) > MAX_MESSAGE_CHARS:
        raise TooLarge(
            "too_large",
            f"Messages are limited to {MAX_MESSAGE_CHARS:,} characters; "
            f"this one has {len(body):,}.",
            {"body": [f"At most {MAX_MESSAGE_CHARS:,} characters."]},
            limit=MAX_MESSAGE_CHARS,
        )
    return body


def clean_client_id(client_id: Any) -> str:
    if client_id is None:
        return ""
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= MAX_CLIENT_ID:
        raise InvalidInput(
            "invalid",
            f"client_id must be a string of 1 to {MAX_CLIENT_ID} characters.",
            {"client_id": ["Invalid."]},
        )
    return client_id


def _existing(room_id: int, author_id: int, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.select_related("author__profile")
        .filter(room_id=room_id, author_id=author_id, client_id=client_id)
        .first()
    )


def check_send_message(user: User, room: Room, body: Any, client_id: Any, reply_to: Any) -> dict:
    """Validate a send: readable room, may post here, well-formed fields."""
    access.check_can_post(user, room)
    cleaned: dict[str, Any] = {"body": clean_body(body), "client_id": clean_client_id(client_id)}
    if reply_to is not None:
        if not is_int(reply_to):
            raise InvalidInput("invalid", "reply_to must be a message id.", {"reply_to": ["?"]})
        if not Message.objects.filter(pk=reply_to, room=room).exists():
            raise InvalidInput(
                "invalid",
                "reply_to must be a message of this room.",
                {"reply_to": ["Not in this room."]},
            )
    cleaned["reply_to_id"] = reply_to
    return cleaned


def do_send_message(
    user: User,
    room: Room,
    body: Any,
    client_id: Any = None,
    reply_to: Any = None,
    *,
    spend: bool = False,
) -> SendResult:
    """Store a message and its `message.new` event; a repeated client_id returns the first one.

    `spend`: a door's send (REST, websocket) takes one from the user's write budget —
    after the idempotency check, so a retry is never refused or charged twice.
    """
    existing = _existing(room.pk, user.pk, client_id) if isinstance(client_id, str) else None
    if existing is not None:
        return SendResult(existing, created=False)
    cleaned = check_send_message(user, room, body, client_id, reply_to)
    if spend:
        limits.spend_write(user)
    html, mentioned = render_message(room, cleaned["body"])
    try:
        with transaction.atomic():
            seq = lock_next_seq(room.pk)
            # Under the room lock a concurrent retry of the same client_id has committed.
            existing = _existing(room.pk, user.pk, cleaned["client_id"])
            if existing is not None:
                transaction.set_rollback(True)
                return SendResult(existing, created=False)
            message = Message.objects.create(
                room=room,
                author=user,
                body=cleaned["body"],
                body_html=html,
                client_id=cleaned["client_id"],
                reply_to_id=cleaned["reply_to_id"],
                seq=seq,
            )
            record_event(room, seq, events.message_frame(Type.MESSAGE_NEW, seq, message), message)
            announce_activity(room, seq, user.pk)
            notify_mentions(message, user, mentioned)
            if room.is_direct:
                # Later, and only if the recipient is away by then (chat.actions.notify).
                jobs.enqueue(
                    tasks.notify_direct_message, message.pk, countdown=direct_message_delay()
                )
            search_outbox.enqueue(MESSAGES, [message.pk])
    except IntegrityError:
        # SQLite has no row locks for concurrent first sends; the constraint decides.
        existing = _existing(room.pk, user.pk, cleaned["client_id"])
        if existing is None:
            raise
        return SendResult(existing, created=False)
    return SendResult(message, created=True)


def access_message(user: AnyUser, message_id: Any) -> Message:
    """The message if its room is readable by the user, else NotFound."""
    if not is_int(message_id):
        raise NotFound()
    message = (
        Message.objects.select_related("room__network", "author__profile")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not access.may_read_room(user, message.room):
        raise NotFound()
    return message


def _lock_message(message: Message) -> tuple[int, Message]:
    """Lock the room (next seq), then re-read the message inside the lock."""
    seq = lock_next_seq(message.room_id)
    fresh = Message.objects.select_related("room__network", "author__profile").get(pk=message.pk)
    return seq, fresh


@transaction.atomic
def do_edit_message(user: User, message: Message, body: Any) -> Message:
    """Authors edit their own messages while they may still post in the room."""
    if message.author_id != user.pk:
        raise NotAllowed("not_author", "Only the author may edit a message.")
    access.check_can_post(user, message.room)
    body = clean_body(body)
    html, mentioned = render_message(message.room, body)
    seq, message = _lock_message(message)
    if message.deleted:
        transaction.set_rollback(True)
        raise StateConflict("deleted", "This message was deleted.")
    if message.body == body:
        transaction.set_rollback(True)
        return message
    message.body, message.body_html, message.edited_at = body, html, timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    # The earlier frames show the new text too: the old one is nowhere in the log.
    rewrite_message_frames(message)
    frame = events.message_frame(Type.MESSAGE_EDITED, seq, message)
    record_event(message.room, seq, frame, message)
    notify_mentions(message, user, mentioned, edit=True)
    search_outbox.enqueue(MESSAGES, [message.pk])
    return message


@transaction.atomic
def do_delete_message(user: User, message: Message) -> Message:
    """Authors delete their messages; moderators those of members below them (audited)."""
    is_author = message.author_id == user.pk
    access.check_can_delete_message(user, message.room, message.author_id)
    seq, message = _lock_message(message)
    if message.deleted:
        transaction.set_rollback(True)
        raise StateConflict("deleted", "This message was already deleted.")
    message.deleted = True
    message.save(update_fields=["deleted"])
    # Its words and reactions leave the log and the history: every frame shows it deleted.
    Reaction.objects.filter(message=message).delete()
    rewrite_message_frames(message)
    frame = events.message_frame(Type.MESSAGE_DELETED, seq, message)
    record_event(message.room, seq, frame, message)
    if not is_author and message.room.network is not None:
        audit(
            message.room.network,
            user,
            "chat.message.delete",
            target_user_id=message.author_id,
            target=message,
            room=message.room_id,
        )
    search_outbox.enqueue(MESSAGES, [message.pk])
    return message


def _check_react(user: User, message: Message, emoji: Any) -> str:
    access.check_can_post(user, message.room)
    if message.deleted:
        raise StateConflict("deleted", "This message was deleted.")
    return check_emoji(emoji)


@transaction.atomic
def do_add_reaction(user: User, message: Message, emoji: Any) -> bool:
    """React to a message; reacting twice with the same emoji changes nothing (returns False)."""
    emoji = _check_react(user, message, emoji)
    seq, message = _lock_message(message)
    if message.deleted or Reaction.objects.filter(message=message, user=user, emoji=emoji).exists():
        transaction.set_rollback(True)
        return False
    Reaction.objects.create(message=message, user=user, emoji=emoji)
    frame = events.reaction_frame(Type.REACTION_ADDED, seq, message, emoji, user)
    record_event(message.room, seq, frame, message)
    return True


@transaction.atomic
def do_remove_reaction(user: User, message: Message, emoji: Any) -> bool:
    """Withdraw one's reaction; removing one that is not there changes nothing (returns False).

    Any stored reaction may be withdrawn, also one accepted before reactions were held to
    exactly one emoji: the value is only looked up, so it is not held to that rule.
    """
    if not access.may_read_room(user, message.room):
        raise NotFound()
    max_length = Reaction._meta.get_field("emoji").max_length or 0
    if not isinstance(emoji, str) or not 0 < len(emoji) <= max_length:
        raise InvalidInput("invalid_emoji", "emoji must be a reaction.", {"emoji": ["Invalid."]})
    seq, message = _lock_message(message)
    deleted, _ = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
    if not deleted:
        transaction.set_rollback(True)
        return False
    frame = events.reaction_frame(Type.REACTION_REMOVED, seq, message, emoji, user)
    record_event(message.room, seq, frame, message)
    return True
