"""The room event log: gapless per-room seq under a row lock, broadcast after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chat import events
from chat.models import Room, RoomEvent
from config.events import network_group, room_group, send_event_on_commit, user_group


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


def record_event(room: Room, seq: int, frame: dict[str, Any]) -> RoomEvent:
    """Store the frame as room event `seq` and ring the doorbell once the transaction commits."""
    event = RoomEvent.objects.create(room=room, seq=seq, type=frame["type"], payload=frame)
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
