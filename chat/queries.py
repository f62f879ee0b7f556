"""Chat reads shared by the REST views and the websocket consumer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from chat.models import Message, Reaction, ReadMarker, Room, RoomEvent
from community.models import Network
from permissions.checks import AnyUser, active_network_ids, readable_network_ids

# Users per aggregate query when a process pushes unread counts to its sockets.
UNREAD_CHUNK = 200


def _unread(messages: QuerySet[Message], user_id: int) -> QuerySet[Message]:
    """What counts as unread for a user among messages after their marker: by others,
    not deleted."""
    return messages.filter(deleted=False).exclude(author_id=user_id)


def with_unread(rooms: QuerySet[Room], user_id: int) -> QuerySet[Room]:
    """Rooms annotated with the user's `unread` count (messages by others, not deleted,
    after their read marker), inside the rooms query itself: each count reads the
    (room, seq) index from the marker on."""
    marker = ReadMarker.objects.filter(room=OuterRef("pk"), user_id=user_id)
    after_marker = Message.objects.filter(room=OuterRef("pk"), seq__gt=OuterRef("read_up_to"))
    unread = (
        _unread(after_marker, user_id).order_by().values("room").annotate(n=Count("pk")).values("n")
    )
    rooms = rooms.alias(read_up_to=Coalesce(Subquery(marker.values("last_read_seq")[:1]), 0))
    # `unread` is declared on Room (for mypy's sake at every reader), which django-stubs
    # takes for a clash with the annotation that sets it.
    return rooms.annotate(  # type: ignore[no-redef]
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0)
    )


def list_rooms(network: Network, user: AnyUser) -> QuerySet[Room]:
    """The network's channel rooms that are not archived, with the user's unread counts
    (and their network: the list serializes its slug, one query per room otherwise)."""
    rooms = Room.objects.filter(network=network, kind=Room.Kind.CHANNEL, archived=False)
    return with_unread(rooms.select_related("network"), cast(int, user.pk))


def list_direct_rooms(user: AnyUser) -> QuerySet[Room]:
    """The user's direct rooms with their unread counts."""
    rooms = Room.objects.filter(
        Q(user_low_id=user.pk) | Q(user_high_id=user.pk), kind=Room.Kind.DIRECT
    ).select_related("user_low__profile", "user_high__profile")
    return with_unread(rooms, cast(int, user.pk))


def with_last_message(rooms: QuerySet[Room]) -> QuerySet[Room]:
    """Each room's latest message still shown — its words, author and time — for a list
    of conversations (in the same query, two correlated subqueries on (room, seq))."""
    latest = Message.objects.filter(room=OuterRef("pk"), deleted=False).order_by("-seq")
    return rooms.annotate(
        last_body=Subquery(latest.values("body")[:1]),
        last_author_id=Subquery(latest.values("author_id")[:1]),
        last_at=Subquery(latest.values("created_at")[:1]),
    )


def room_with_unread(room_id: int, user_id: int) -> Room:
    """One room with the user's read state (see `with_unread`)."""
    return with_unread(Room.objects.select_related("network"), user_id).get(pk=room_id)


def read_state(room_id: int, user_id: int) -> tuple[int, int]:
    """The room's current seq and the user's unread count there, in one query."""
    room = with_unread(Room.objects.only("seq"), user_id).get(pk=room_id)
    return room.seq, room.unread


def unread_count(user_id: int, room_id: int, last_read_seq: int) -> int:
    """Messages by others, not deleted, after the user's read marker."""
    return _unread(Message.objects.filter(room_id=room_id, seq__gt=last_read_seq), user_id).count()


def unread_counts_for_users(room_id: int, user_ids: Iterable[int]) -> dict[int, int]:
    """user id → unread count in one room: one marker query and one aggregate per 200 users."""
    result: dict[int, int] = {}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), UNREAD_CHUNK):
        chunk = ids[start : start + UNREAD_CHUNK]
        read = dict(
            ReadMarker.objects.filter(room_id=room_id, user_id__in=chunk).values_list(
                "user_id", "last_read_seq"
            )
        )
        counts = Message.objects.filter(room_id=room_id, deleted=False).aggregate(
            **{
                f"u{uid}": Count("id", filter=Q(seq__gt=read.get(uid, 0)) & ~Q(author_id=uid))
                for uid in chunk
            }
        )
        result.update({uid: counts[f"u{uid}"] or 0 for uid in chunk})
    return result


@dataclass(frozen=True)
class Replay:
    """What `subscribed` carries: the room's latest seq and the events after `after_seq`."""

    seq: int
    events: list[dict[str, Any]]
    has_more: bool


def replay(room_id: int, after_seq: int | None, limit: int, seq: int | None = None) -> Replay:
    """Events after `after_seq` up to the room's current seq, oldest first, at most `limit`.

    The room's seq is read first (or passed in, read by the caller): once seq n is
    visible every event up to n is committed (they are written under the room's row
    lock), so the replay has no hole.
    """
    if seq is None:
        seq = Room.objects.values_list("seq", flat=True).get(pk=room_id)
    if after_seq is None or after_seq >= seq:
        return Replay(seq, [], False)
    payloads = list(
        RoomEvent.objects.filter(room_id=room_id, seq__gt=after_seq, seq__lte=seq)
        .order_by("seq")
        .values_list("payload", flat=True)[:limit]
    )
    has_more = bool(payloads) and payloads[-1]["seq"] < seq
    return Replay(seq, payloads, has_more)


def events_after(room_id: int, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """The stored frames after `after_seq`, oldest first (the REST event log)."""
    return list(
        RoomEvent.objects.filter(room_id=room_id, seq__gt=after_seq)
        .order_by("seq")
        .values_list("payload", flat=True)[:limit]
    )


def events_between(room_id: int, after_seq: int, up_to_seq: int) -> list[dict[str, Any]]:
    """Frames with after_seq < seq ≤ up_to_seq: what a process fetches to fill a gap."""
    return list(
        RoomEvent.objects.filter(room_id=room_id, seq__gt=after_seq, seq__lte=up_to_seq)
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def history(
    room: Room, *, before: int | None, after: int | None, limit: int
) -> tuple[list[Message], int | None]:
    """A page of messages in chronological order and the id to continue from (or None).

    `after` pages forward from a message id; otherwise the page ends just before
    `before` (or at the latest message) and continues backwards.
    """
    messages = Message.objects.filter(room=room).select_related("author__profile")
    messages = messages.prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.order_by("id"))
    )
    if after is not None:
        rows = list(messages.filter(id__gt=after).order_by("id")[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (rows[-1].pk if more else None)
    if before is not None:
        messages = messages.filter(id__lt=before)
    rows = list(messages.order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return rows, (rows[0].pk if more else None)


def reaction_summary(message: Message, user_id: int | None) -> list[dict[str, Any]]:
    """[{emoji, count, me}] in order of first use, from prefetched reactions."""
    summary: dict[str, dict[str, Any]] = {}
    for reaction in message.reactions.all():
        entry = summary.setdefault(
            reaction.emoji, {"emoji": reaction.emoji, "count": 0, "me": False}
        )
        entry["count"] += 1
        entry["me"] = entry["me"] or reaction.user_id == user_id
    return list(summary.values())


def room_seqs(room_ids: list[int]) -> dict[int, int]:
    """room id → latest seq."""
    return dict(Room.objects.filter(pk__in=room_ids).values_list("id", "seq"))


def access_sets(user: AnyUser) -> tuple[frozenset[int], frozenset[int]]:
    """(networks the user may read, networks where the user is an active member)."""
    return readable_network_ids(user), active_network_ids(user)
