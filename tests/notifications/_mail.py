"""Helpers of the notification mail tests: notifying, moving time, reading what was sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from community.models import Network
from directory.models import Profile
from notifications.actions import do_notify
from notifications.models import Notification

Kind = Notification.Kind


TOPIC = "Visa Schengen à Francfort"


def mention(user: Any, network: Network | None, actor: Any, n: int = 1) -> list[Notification]:
    rows = []
    for _ in range(n):
        rows += do_notify(
            [user.pk],
            Kind.MENTION,
            network=network,
            actor=actor,
            target=("post", 1),
            data={"title": TOPIC},
        )
    return rows


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def speaks(user: Any, language: str) -> None:
    Profile.objects.filter(user=user).update(ui_language=language)
