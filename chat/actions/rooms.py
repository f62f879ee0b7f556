"""Creating rooms, opening direct conversations and moving read markers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from chat import access, events, queries
from chat.actions.notify import read_direct_notifications
from chat.models import Message, ReadMarker, Room
from community.actions.common import audit
from community.models import Network
from core.errors import InvalidInput, NotFound
from core.events import send_event_on_commit, user_group
from core.names import clean_name
from core.validation import is_int
from permissions import checks

MAX_NAME = 80
MAX_TOPIC = 250


def _clean_text(value: Any, field: str, limit: int, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("invalid", f"{field} must be a string.", {field: ["Not a string."]})
    value = clean_name(value) if field == "name" else value.strip()
    if required and not value:
        raise InvalidInput("invalid", f"{field} cannot be blank.", {field: ["Blank."]})
    if len(value) > limit:
        raise InvalidInput(
            "invalid", f"{field} is limited to {limit} characters.", {field: ["Too long."]}
        )
    return value


def _free_slug(network: Network, name: str) -> str:
    base = slugify(name, allow_unicode=True)[:70] or "room"
    taken = set(
        Room.objects.filter(network=network, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def do_create_room(
    actor: User, network: Network, name: Any, topic: Any = None, posting: Any = None
) -> Room:
    """Moderators create a channel room in their network (audited)."""
    checks.check_can_manage_rooms(actor, network)
    name = _clean_text(name, "name", MAX_NAME, required=True)
    topic = _clean_text(topic, "topic", MAX_TOPIC, required=False)
    posting = posting or Room.Posting.ALL
    if posting not in Room.Posting.values:
        raise InvalidInput(
            "invalid", "posting must be all or moderators.", {"posting": ["Unknown value."]}
        )
    # Lock the network row so two concurrent creations do not pick the same slug.
    Network.objects.select_for_update().filter(pk=network.pk).values_list("id", flat=True).get()
    room = Room.objects.create(
        network=network,
        kind=Room.Kind.CHANNEL,
        name=name,
        slug=_free_slug(network, name),
        topic=topic,
        posting=posting,
        created_by=actor,
    )
    audit(network, actor, "chat.room.create", target=room, name=name, posting=posting)
    return room


@dataclass(frozen=True)
class DirectResult:
    room: Room
    created: bool


def do_open_direct_room(user: User, other_id: Any) -> DirectResult:
    """The one direct room between the user and a member of a network they share (reused)."""
    if not is_int(other_id):
        raise InvalidInput("invalid", "user_id must be a user id.", {"user_id": ["Invalid."]})
    if other_id == user.pk:
        raise InvalidInput(
            "invalid", "You cannot open a conversation with yourself.", {"user_id": ["Yourself."]}
        )
    other = get_user_model().objects.filter(pk=other_id, is_active=True).first()
    if other is None or not checks.share_a_network(user.pk, other_id):
        raise NotFound("No member of a network you share has this id.")
    low, high = sorted((user.pk, other_id))
    found = Room.objects.filter(kind=Room.Kind.DIRECT, user_low_id=low, user_high_id=high).first()
    if found is not None:
        return DirectResult(found, created=False)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                kind=Room.Kind.DIRECT, user_low_id=low, user_high_id=high, created_by=user
            )
    except IntegrityError:
        # Both users opened the conversation at the same moment: the first row wins.
        room = Room.objects.get(kind=Room.Kind.DIRECT, user_low_id=low, user_high_id=high)
        return DirectResult(room, created=False)
    return DirectResult(room, created=True)


@dataclass(frozen=True)
class ReadResult:
    marker: ReadMarker
    unread: int


@transaction.atomic
def do_mark_read(user: User, room: Room, message_id: Any) -> ReadResult:
    """Move the user's read marker forward to a message; every tab gets the new unread count.
    In a direct room this also reads the room's `direct_message` notification."""
    if not access.may_read_room(user, room):
        raise NotFound()
    if not is_int(message_id):
        raise InvalidInput(
            "invalid", "message_id must be a message id.", {"message_id": ["Invalid."]}
        )
    seq = Message.objects.filter(pk=message_id, room=room).values_list("seq", flat=True).first()
    if seq is None:
        raise InvalidInput(
            "invalid", "message_id is not a message of this room.", {"message_id": ["Unknown."]}
        )
    marker, _ = ReadMarker.objects.select_for_update().get_or_create(user=user, room=room)
    if seq > marker.last_read_seq:
        marker.last_read_seq = seq
        marker.save(update_fields=["last_read_seq", "updated_at"])
    count = queries.unread_count(user.pk, room.pk, marker.last_read_seq)
    read_direct_notifications(user, room)
    send_event_on_commit(
        user_group(user.pk), {"type": events.UNREAD, "room": room.pk, "count": count}
    )
    return ReadResult(marker, count)
