"""What the top bar of every page shows a signed-in user: the unread notification count
(the bell) and the unread direct and room messages (the badge on "Messages").

A context processor, lazy: the counts are read only when a template shows them (the
base template's top bar), each in a constant number of queries whatever the number of
notifications or rooms, and never for an anonymous visitor. Live updates come over the
page's websocket (`static/js/notifications.js`: `notification`, `notifications.read`
and `unread` frames).

It lives here, above the apps, because it reads two of them (chat and notifications).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from chat.models import Room
from chat.queries import with_unread
from community.models import Membership
from notifications import queries as notification_queries


def unread_rooms(user: User) -> dict[int, int]:
    """room id → unread messages, for the rooms with any: the user's direct rooms and the
    live channel rooms of the networks where they are an active member (those whose
    `unread` frames their sockets hear). One query."""
    member_of = Membership.objects.filter(
        user_id=user.pk, status=Membership.Status.ACTIVE, network__archived=False
    ).values("network_id")
    rooms = Room.objects.filter(
        Q(kind=Room.Kind.DIRECT) & (Q(user_low_id=user.pk) | Q(user_high_id=user.pk))
        | Q(kind=Room.Kind.CHANNEL, archived=False, network_id__in=member_of)
    )
    # `unread` is an annotation (chat.queries.with_unread), which django-stubs cannot see.
    counted = cast("QuerySet[Any]", with_unread(rooms.order_by(), user.pk))
    return dict(counted.filter(unread__gt=0).values_list("pk", "unread"))


class TopBar:
    """The counts, read on first use."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def notifications(self) -> int:
        return notification_queries.unread_count(self.user)

    @cached_property
    def rooms(self) -> dict[str, int]:
        """Per room (string keys: it goes to the page as JSON), for the live badge."""
        return {str(room_id): n for room_id, n in unread_rooms(self.user).items()}

    @cached_property
    def messages(self) -> int:
        return sum(self.rooms.values())

    @property
    def strings(self) -> dict[str, str]:
        """What notifications.js shows, in the page's language (`%(n)s`: a count)."""
        return {
            "bell": _("Notifications (unread: %(n)s)"),
            "messages": _("Messages (unread: %(n)s)"),
            "new": _("New notification"),
            "failed": _("The notifications could not be loaded."),
        }


def topbar(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"topbar": TopBar(user)}
