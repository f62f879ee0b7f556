"""Open calls in the daily and weekly digests (notifications.digest's section registry):
those published in each of the reader's networks since their last digest and still
taking applications. A network's list is read once a minute at most, whoever it is for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.actions import display_name
from calls.models import Call
from community.models import Network
from mailer.links import absolute
from notifications import digest


def _calls_of(network_id: int, since: dt.datetime, until: dt.datetime) -> digest.Found:
    window = Call.objects.filter(
        network_id=network_id,
        status=Call.Status.OPEN,
        published_at__gte=since,
        published_at__lt=until,
        deadline__gt=timezone.now(),
    )
    return digest.first_items(
        window.select_related("poster__profile").order_by("deadline", "id"),
        lambda c: digest.Item(
            title=c.title,
            url=absolute(reverse("web:call", args=[c.pk])),
            by=display_name(c.poster) if c.poster is not None else "",
        ),
    )


@digest.section("calls", label=_("Open calls for expertise"))
def open_calls(
    user: User, networks: Sequence[Network], since: dt.datetime, until: dt.datetime
) -> dict[int, digest.Found]:
    return {
        n.pk: digest.memoized("calls", n.pk, since, until, partial(_calls_of, n.pk, since, until))
        for n in networks
    }
