"""Chat in the "your data" archive, and in an account's erasure (core.personal_data).

The room log (RoomEvent) holds each message as it is now, author included, so an erasure
rewrites every frame that names the person: their messages show "Deleted member" (and,
erased, no words: a `message.deleted` event per message tells open rooms at once), and
the reaction frames they appear in name the same anonymous author. Seqs and types stay,
so a replay is as gapless after as before.
"""

from __future__ import annotations

from typing import Any

from chat import events
from chat.actions.log import (
    REACTION_TYPES,
    lock_next_seq,
    record_event,
    rewrite_message_frames,
)
from chat.actions.notify import render_message
from chat.models import Message, Reaction, ReadMarker, Room, RoomEvent
from chat.search import MESSAGES
from community.rendering import rename_mentions
from core import personal_data
from search import outbox


def _room(room: Room, user: Any) -> dict[str, Any]:
    if room.is_direct:
        other = room.user_high if room.user_low_id == user.pk else room.user_low
        return {"id": room.pk, "kind": "direct", "with": other.get_username() if other else None}
    return {
        "id": room.pk,
        "kind": "channel",
        "network": room.network.slug if room.network else None,
        "name": room.name,
    }


@personal_data.section("chat")
def export_chat(user: Any) -> dict[str, Any]:
    rooms: dict[int, dict[str, Any]] = {}
    messages = []
    for message in (
        Message.objects.filter(author=user)
        .select_related("room__network", "room__user_low", "room__user_high")
        .order_by("id")
        .iterator(chunk_size=500)
    ):
        rooms.setdefault(message.room_id, _room(message.room, user))
        messages.append(
            {
                "id": message.pk,
                "room": message.room_id,
                "body": message.body,
                "created_at": personal_data.iso(message.created_at),
                "edited_at": personal_data.iso(message.edited_at),
                "deleted": message.deleted,
            }
        )
    reactions = [
        {
            "message": r["message_id"],
            "emoji": r["emoji"],
            "created_at": personal_data.iso(r["created_at"]),
        }
        for r in Reaction.objects.filter(user=user)
        .order_by("id")
        .values("message_id", "emoji", "created_at")
    ]
    return {"rooms": list(rooms.values()), "messages": messages, "reactions": reactions}


@personal_data.eraser("chat.mentions", order=5)
def rename_their_mentions(user: Any, erase_content: bool) -> None:
    """Others' messages that @name the person name the deleted account instead (before
    the row is renamed: this needs the old name). Read by a scan of the words: a deletion
    is rare, and mentions made while they were not a member are caught too."""
    old, new = user.get_username(), personal_data.erased_username(user.pk)
    ids = []
    for message in (
        Message.objects.filter(body__icontains=f"@{old}")
        .exclude(author=user)
        .select_related("room__network", "author__profile")
        .iterator(chunk_size=500)
    ):
        body = rename_mentions(message.body, old, new)
        if body == message.body:
            continue
        message.body = body
        message.body_html, _ = render_message(message.room, body)
        message.save(update_fields=["body", "body_html"])
        rewrite_message_frames(message)
        ids.append(message.pk)
    outbox.enqueue(MESSAGES, ids)


@personal_data.eraser("chat", order=60)
def erase_chat(user: Any, erase_content: bool) -> None:
    ids = []
    for message in (
        Message.objects.filter(author=user)
        .select_related("room__network", "author__profile")
        .order_by("room_id", "id")
        .iterator(chunk_size=500)
    ):
        ids.append(message.pk)
        if erase_content:
            _erase(message)
        else:
            rewrite_message_frames(message)  # the same words, by "Deleted member"
    anonymous = events.user_summary(user)
    frames = RoomEvent.objects.filter(type__in=REACTION_TYPES, payload__user__id=user.pk)
    for frame in frames.iterator(chunk_size=500):
        frame.payload = {**frame.payload, "user": anonymous}
        frame.save(update_fields=["payload"])
    ReadMarker.objects.filter(user=user).delete()
    outbox.enqueue(MESSAGES, ids)


def _erase(message: Message) -> None:
    """The message's words go from the row, every frame and the index; open rooms are told."""
    already = message.deleted
    seq = None if already else lock_next_seq(message.room_id)
    message.deleted, message.body, message.body_html = True, "", ""
    message.save(update_fields=["deleted", "body", "body_html"])
    Reaction.objects.filter(message=message).delete()
    rewrite_message_frames(message)
    if seq is not None:
        frame = events.message_frame(RoomEvent.Type.MESSAGE_DELETED, seq, message)
        record_event(message.room, seq, frame, message)
