"""The room event log: gapless per-room seq under a row lock, broadcast after commit.

The log holds each message's current state, not its history: an edit or a deletion
rewrites the message's earlier frames (same events, seqs and types, so a replay stays
gapless) in the action's transaction, so a reader replaying from seq 0 never gets a
replaced or deleted text.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Func, JSONField, Value, When
from django.db.models.functions import JSONObject

from chat import events
from chat.models import Message, Room, RoomEvent
from core.events import network_group, room_group, send_event_on_commit, user_group


def lock_next_seq(room_id: int) -> int:
    """Lock the room row and reserve its next seq. Call inside the action's transaction.

    The lock serializes every change to one room, so seqs are committed in order
    and without holes: when seq n is visible, every seq below it is too.
    """
    assert transaction.get_connection().in_atomic_block, "lock_next_seq needs a transaction"
    current = Room.objects.select_for_update().values_list("seq", flat=True).get(pk=room_id)
    seq = current + 1
    Room.objects.filter(pk=room_id).update(seq=seq)
    return seq


def record_event(room: Room, seq: int, frame: dict[str, Any], message: Message) -> RoomEvent:
    """Store the frame as room event `seq` and ring the doorbell once the transaction commits."""
    event = RoomEvent.objects.create(
        room=room, seq=seq, type=frame["type"], payload=frame, message=message
    )
    room.seq = seq
    send_event_on_commit(room_group(room.pk), events.room_event(frame))
    return event


def announce_activity(room: Room, seq: int, author_id: int) -> None:
    """Tell readers who are not watching the room that its unread count changed."""
    event = {
        "type": events.ACTIVITY,
        "room": room.pk,
        "network": room.network_id,
        "seq": seq,
        "author": author_id,
    }
    if room.is_direct:
        for user_id in (room.user_low_id, room.user_high_id):
            if user_id is not None and user_id != author_id:
                send_event_on_commit(user_group(user_id), event)
    elif room.network_id is not None:
        send_event_on_commit(network_group(room.network_id), event)


Type = RoomEvent.Type
MESSAGE_TYPES = (Type.MESSAGE_NEW, Type.MESSAGE_EDITED, Type.MESSAGE_DELETED)
REACTION_TYPES = (Type.REACTION_ADDED, Type.REACTION_REMOVED)


class JSONParameter(Func):
    """A JSON value bound as one parameter and read as JSON, not as a string, so that
    `JSONObject` nests it (SQLite's json(), PostgreSQL's ::jsonb)."""

    function = "JSON"
    output_field = JSONField()

    def __init__(self, value: Any) -> None:
        super().__init__(Value(json.dumps(value, ensure_ascii=False, separators=(",", ":"))))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s)::jsonb", **extra)


def rewrite_message_frames(message: Message) -> int:
    """Make every stored frame of the message show it as it is now, in one UPDATE.

    Call in the edit's or deletion's transaction, under the room lock. `message.*`
    frames get the current message (a deleted one: no body, no HTML); the reaction
    frames of a deleted message keep their seq and type but no longer name the emoji
    or who reacted. The rows are found through their indexed message reference, so the
    cost does not grow with the room's log. Returns the number of frames rewritten.
    """
    # The frame's own fields come from its row, so each keeps its type and seq.
    own = {"type": F("type"), "room": F("room_id"), "seq": F("seq")}
    message_frame = JSONObject(**own, message=JSONParameter(events.message_payload(message)))
    frames = RoomEvent.objects.filter(message_id=message.pk)
    if not message.deleted:
        return frames.filter(type__in=MESSAGE_TYPES).update(payload=message_frame)
    gone = Value(None)
    reaction_frame = JSONObject(**own, message=Value(message.pk), emoji=gone, user=gone)
    return frames.update(
        payload=Case(
            When(type__in=REACTION_TYPES, then=reaction_frame),
            default=message_frame,
            output_field=JSONField(),
        )
    )
