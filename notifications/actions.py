"""The one write path of notifications: `do_notify`, called by an action inside its
transaction, with the change that causes it.

Rows are created in one INSERT for every recipient who may read the network at that
moment (`permissions.audience`, one query for all); the actor is never notified of
their own act. After commit each recipient's sockets get a `notification` frame with
the row as the REST list shows it and the new unread count (group `user.<id>`, event
`notifications.new`, which realtime's consumer turns into the frame).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from community.models import Network
from core import events
from notifications import queries
from notifications.models import Notification
from permissions import audience

NEW = "notifications.new"
READ = "notifications.read"


def do_notify(
    recipients: Iterable[int],
    kind: str,
    *,
    network: Network | None,
    actor: User | None,
    target: tuple[str, int] | None = None,
    data: dict[str, Any] | None = None,
    once: bool = False,
) -> list[Notification]:
    """Notify `recipients` (user ids) of `kind`; returns the rows created. `once`: not
    those who already have a notification of this kind about this target (an edited
    post or message mentions each person once)."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = {int(uid) for uid in recipients}
    if actor is not None:
        ids.discard(int(actor.pk))
    target_type, target_id = target if target is not None else ("", None)
    if once and ids:
        ids -= queries.notified_among(ids, kind, target_type, target_id)
    if network is not None:
        ids = audience.readers_among(network, ids)
    if not ids:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                kind=kind,
                network=network,
                actor=actor,
                target_type=target_type,
                target_id=target_id,
                data=data or {},
            )
            for uid in sorted(ids)
        ]
    )
    created = [row.pk for row in rows]
    transaction.on_commit(lambda: push(created))
    return rows


def push(notification_ids: list[int]) -> None:
    """The `notification` frame of each row to its recipient's sockets, read after commit:
    a constant number of queries for any number of recipients (the rows with their
    recipients' profiles, then every recipient's unread count at once)."""
    rows = list(
        queries.for_listing(Notification.objects.filter(pk__in=notification_ids))
        .select_related("recipient__profile")
        .order_by("id")
    )
    unread = queries.unread_counts(list({row.recipient_id: row.recipient for row in rows}.values()))
    for row in rows:
        language = queries.language_of_user(row.recipient)
        events.send_event_now(
            events.user_group(row.recipient_id),
            {
                "type": NEW,
                "notification": queries.serialize([row], language)[0],
                "unread": unread[row.recipient_id],
            },
        )


def do_mark_read(user: User, *, ids: list[int] | None = None, every: bool = False) -> int:
    """Mark the user's notifications read: these ids (others' are ignored) or all. The
    user's other sockets hear of it (`notifications.read` with the new count), so a bell
    open on another tab or device does not stay stale."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if not every:
        unread = unread.filter(pk__in=ids or [])
    marked = list(unread.values_list("pk", flat=True)) if not every else []
    count = unread.update(read_at=timezone.now())
    if count:
        which: dict[str, Any] = {"all": True} if every else {"ids": sorted(marked)}
        transaction.on_commit(
            lambda: events.send_event_now(
                events.user_group(user.pk),
                {"type": READ, **which, "unread": queries.unread_count(user)},
            )
        )
    return count


def do_mark_target_read(user: User, kind: str, target: tuple[str, int]) -> int:
    """Mark read the user's unread notifications of `kind` about `target` (reading a
    direct conversation reads its `direct_message` notification); one query when there
    are none."""
    ids = queries.unread_about(user.pk, kind, target)
    return do_mark_read(user, ids=ids) if ids else 0
