"""The notifications chat sends: mentions in network rooms, direct messages to the absent.

- `mention`: a message of a network room that @names active members of the network
  notifies them (an edit: only those it names for the first time; each person once per
  message), written with the message. A room is read by whoever reads its network
  (`chat.access`), which `do_notify` checks: an outsider, a banned member, a requester
  of a private network get nothing. Direct rooms have no mentions: the other person
  gets `direct_message`.
- `direct_message`: sending in a direct room enqueues `chat.tasks.notify_direct_message`
  `DIRECT_MESSAGE_NOTIFY_DELAY` seconds later (default 30). It notifies the recipient
  only if then they have no open socket (`core.presence`), have not read the message,
  and have no unread `direct_message` notification for that room already: one per
  room until read, and never twice for one message. Reading the room (`do_mark_read`)
  marks it read. A check a crash or a restart dropped is made by the periodic sweep
  (`sweep_direct_messages`, every minute), which asks again about the last message of
  each direct room written in the last `SWEEP_WINDOW`: the same checks make it harmless.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chat.models import Message, ReadMarker, Room
from community.forums.mentions import render_post_body
from community.rendering import render_markdown
from core import presence
from notifications import queries as notification_queries
from notifications.actions import do_mark_target_read, do_notify
from notifications.models import Notification

Kind = Notification.Kind
SWEEP_WINDOW = dt.timedelta(minutes=10)


def render_message(room: Room, body: str) -> tuple[str, set[int]]:
    """The message's HTML and the members it @names (network rooms; none in direct ones)."""
    if room.network is None:
        return render_markdown(body), set()
    rendered = render_post_body(room.network, body)
    return rendered.html, rendered.mentioned_ids


def notify_mentions(
    message: Message, actor: User, mentioned: set[int], *, edit: bool = False
) -> None:
    """`mention` for the members a network room's message names, once per message each
    (after an edit: those not yet notified about it)."""
    room = message.room
    if not mentioned or room.network is None:
        return
    do_notify(
        mentioned,
        Kind.MENTION,
        network=room.network,
        actor=actor,
        target=("message", message.pk),
        # The room's name as it was: the text is rendered later, a rename does not reach it.
        data={"room": room.pk, "room_name": room.name},
        once=edit,
    )


def direct_message_delay() -> float:
    """Seconds between a direct message and the check of its recipient (`chat.tasks`)."""
    return float(getattr(settings, "DIRECT_MESSAGE_NOTIFY_DELAY", 30))


def _recipient(room: Room, author_id: int) -> int | None:
    return room.user_high_id if room.user_low_id == author_id else room.user_low_id


@transaction.atomic
def do_notify_direct_message(message_id: int) -> list[Notification]:
    """`direct_message` to the other person of a direct room, if still due: they have no
    open socket, have not read this message, and have no unread one for the room."""
    message = (
        Message.objects.select_related("room", "author")
        .filter(pk=message_id, author__is_active=True)
        .first()
    )
    if message is None or message.deleted or not message.room.is_direct:
        return []
    room = message.room
    recipient = _recipient(room, message.author_id)
    if recipient is None or presence.is_online(recipient):
        return []
    if not get_user_model().objects.filter(pk=recipient, is_active=True).exists():
        return []
    # The room's row lock: two of these jobs for one room cannot both find none unread.
    Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True).first()
    read = ReadMarker.objects.filter(user_id=recipient, room=room)
    if read.filter(last_read_seq__gte=message.seq).exists():
        return []
    if notification_queries.unread_about(recipient, Kind.DIRECT_MESSAGE, ("room", room.pk)):
        return []
    if notification_queries.notified_since(
        recipient, Kind.DIRECT_MESSAGE, ("room", room.pk), message.created_at
    ):
        return []  # this message (or a later one) was notified already, and read since
    return do_notify(
        [recipient],
        Kind.DIRECT_MESSAGE,
        network=None,
        actor=message.author,
        target=("room", room.pk),
        data={"message": message.pk},
    )


def sweep_direct_messages(now: dt.datetime | None = None) -> int:
    """Check again the last message of each direct room written between `SWEEP_WINDOW` and
    the delay ago (a job a crash dropped); returns how many notifications it made."""
    now = now or timezone.now()
    due = dt.timedelta(seconds=direct_message_delay())
    last = (
        Message.objects.filter(
            room__kind=Room.Kind.DIRECT,
            created_at__gte=now - SWEEP_WINDOW,
            created_at__lte=now - due,
            deleted=False,
        )
        .values("room_id")
        .annotate(last=Max("id"))
        .order_by()
    )
    return sum(len(do_notify_direct_message(row["last"])) for row in last)


def read_direct_notifications(user: User, room: Room) -> None:
    """Reading a direct room reads its `direct_message` notification."""
    if room.is_direct:
        do_mark_target_read(user, Kind.DIRECT_MESSAGE, ("room", room.pk))
