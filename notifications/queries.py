"""Reading notifications: what the recipient may still see, in pages, and their shape.

Listing re-checks access: a notification of a network the recipient can no longer read
(banned, left a private one) is neither listed nor counted. The check is the cached
`readable_network_ids`, so a page costs the same few queries for 5 or 500 rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from accounts.actions import display_name
from community.models import Network
from core.validation import is_int
from notifications.models import Notification
from notifications.texts import language_of, render
from permissions import audience, checks


def visible(user: User) -> QuerySet[Notification]:
    """The user's notifications that they may still read."""
    readable = checks.readable_network_ids(user)
    return Notification.objects.filter(recipient_id=user.pk).filter(
        Q(network__isnull=True) | Q(network_id__in=readable)
    )


def unread_count(user: User) -> int:
    return visible(user).filter(read_at__isnull=True).count()


def unread_counts(users: list[User]) -> dict[int, int]:
    """`unread_count` for many recipients at once (`unread_counts_of` their ids)."""
    return unread_counts_of([user.pk for user in users])


def unread_counts_of(user_ids: Iterable[int]) -> dict[int, int]:
    """`unread_count` for many recipients at once: the unread rows counted by (recipient,
    network) in one query, then who may still read each network among them
    (`permissions.audience`, one query per network, whatever the number of recipients)."""
    by_user: dict[int, dict[int | None, int]] = {int(uid): {} for uid in user_ids}
    rows = (
        Notification.objects.filter(recipient_id__in=list(by_user), read_at__isnull=True)
        .values("recipient_id", "network_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        by_user[row["recipient_id"]][row["network_id"]] = row["n"]
    networks = Network.objects.in_bulk({n for counts in by_user.values() for n in counts} - {None})
    readers = {
        network_id: audience.readers_among(
            network, [u for u, c in by_user.items() if network_id in c]
        )
        for network_id, network in networks.items()
    }
    return {
        user_id: sum(
            n
            for network_id, n in counts.items()
            if network_id is None or user_id in readers.get(network_id, ())
        )
        for user_id, counts in by_user.items()
    }


def about(kind: str, target_type: str, target_id: int | None) -> QuerySet[Notification]:
    """Every notification of `kind` about this target, whoever it is for."""
    return Notification.objects.filter(kind=kind, target_type=target_type, target_id=target_id)


def notified_among(
    user_ids: set[int], kind: str, target_type: str, target_id: int | None
) -> set[int]:
    """Those of `user_ids` who already have a notification of `kind` about this target."""
    found = about(kind, target_type, target_id).filter(recipient_id__in=user_ids)
    return set(found.values_list("recipient_id", flat=True))


def unread_about(user_id: int, kind: str, target: tuple[str, int]) -> list[int]:
    """The ids of the user's unread notifications of `kind` about `target`."""
    target_type, target_id = target
    found = Notification.objects.filter(
        recipient_id=user_id,
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        read_at__isnull=True,
    )
    return list(found.values_list("pk", flat=True))


def notified_since(
    user_id: int, kind: str, target: tuple[str, int], moment: datetime.datetime
) -> bool:
    """Has the user had a notification of `kind` about `target` since `moment`, read or not?"""
    target_type, target_id = target
    return Notification.objects.filter(
        recipient_id=user_id,
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        created_at__gte=moment,
    ).exists()


def for_listing(queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    return queryset.select_related("network", "actor", "actor__profile")


def ui_language(user_id: int) -> str:
    found = User.objects.filter(pk=user_id).values_list("profile__ui_language", flat=True)
    return language_of(next(iter(found), None))


def languages_of(user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each user's language and time zone, in one query for all."""
    found = User.objects.filter(pk__in=list(user_ids)).values_list(
        "pk", "profile__ui_language", "profile__timezone"
    )
    return {pk: (language_of(code), zone or "") for pk, code, zone in found}


def time_zone(user: User) -> str:
    """The reader's chosen time zone ("" for none)."""
    found = User.objects.filter(pk=user.pk).values_list("profile__timezone", flat=True)
    return next(iter(found), None) or ""


def language_of_user(user: User) -> str:
    """The recipient's language from a user loaded with its profile (no query)."""
    profile = getattr(user, "profile", None)
    return language_of(profile.ui_language if profile is not None else None)


def _url(notification: Notification) -> str | None:
    """Where the notification leads: its target's page (reversed by name)."""
    target, target_id, data = notification.target_type, notification.target_id, notification.data
    if target == "post" and is_int(data.get("topic")):
        # `?post=` opens the page holding the post (a reply in a long topic is not on the first).
        topic_page = reverse("web:topic", args=[data["topic"]])
        return f"{topic_page}?post={target_id}#post-{target_id}"
    if target == "message" and is_int(data.get("room")):
        return f"{reverse('web:room', args=[data['room']])}#m-{target_id}"
    if target == "room" and target_id is not None:
        return reverse("web:room", args=[target_id])
    if target == "meeting" and target_id is not None:
        return reverse("web:meeting", args=[target_id])
    if target == "call" and target_id is not None:
        return reverse("web:call", args=[target_id])
    network = notification.network
    if network is None:
        return None
    if target == "membership":
        return reverse("web:manage-requests", args=[network.slug])
    return reverse("web:network", args=[network.slug])


def serialize(
    notifications: list[Notification], language: str, zone: str = ""
) -> list[dict[str, Any]]:
    """The REST (and `notification` frame) shape, with the text in `language` and its
    times in the time zone `zone` (the reader's)."""
    out = []
    for item in notifications:
        actor = item.actor
        actor_name = display_name(actor) if actor is not None else ""
        out.append(
            {
                "id": item.pk,
                "kind": item.kind,
                "network": item.network.slug if item.network is not None else None,
                "actor": (
                    {"id": actor.pk, "username": actor.username, "display_name": actor_name}
                    if actor is not None
                    else None
                ),
                "target": {"type": item.target_type, "id": item.target_id, "url": _url(item)},
                "text": render(item, actor_name, language, zone),
                "created_at": item.created_at,
                "read_at": item.read_at,
            }
        )
    return out
