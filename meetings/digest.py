"""Meetings in the daily and weekly digests (notifications.digest's section registry):
those announced in each of the reader's networks since their last digest, still to come
and not cancelled. A network's list is read once a minute at most, whoever it is for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.actions import display_name
from community.models import Network
from mailer.links import absolute
from meetings.models import Meeting
from notifications import digest


def _meetings_of(network_id: int, since: dt.datetime, until: dt.datetime) -> digest.Found:
    window = Meeting.objects.filter(
        network_id=network_id,
        status=Meeting.Status.SCHEDULED,
        created_at__gte=since,
        created_at__lt=until,
        starts_at__gt=timezone.now(),
    )
    return digest.first_items(
        window.select_related("organizer__profile").order_by("starts_at", "id"),
        lambda m: digest.Item(
            title=f"{m.title} ({m.city})" if m.city else m.title,
            url=absolute(reverse("web:meeting", args=[m.pk])),
            by=display_name(m.organizer) if m.organizer is not None else "",
        ),
    )


@digest.section("meetings", label=_("New meetings"))
def new_meetings(
    user: User, networks: Sequence[Network], since: dt.datetime, until: dt.datetime
) -> dict[int, digest.Found]:
    return {
        n.pk: digest.memoized(
            "meetings", n.pk, since, until, partial(_meetings_of, n.pk, since, until)
        )
        for n in networks
    }
