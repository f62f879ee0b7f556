"""The reminder a day before: each person going is told once, in their language and with
the time in their own time zone (the notification's text is rendered when read).

`send_due` runs on the background engine's schedule (`meetings-reminders`, JOBS_SCHEDULE).
A meeting is reminded in the same transaction that marks it (`reminded_at`), under its row
lock, so two workers or a rerun after a crash never remind twice; one that moves to a new
time gets a new reminder (meetings.actions clears the mark), one cancelled gets none.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from meetings.models import Meeting, Rsvp
from notifications.actions import do_notify
from notifications.models import Notification

AHEAD = dt.timedelta(hours=24)
BATCH = 100


def send_due(now: dt.datetime | None = None) -> int:
    """Remind the people going to every meeting that starts within a day; returns how
    many meetings were reminded."""
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            due = Meeting.objects.filter(
                status=Meeting.Status.SCHEDULED,
                network__archived=False,
                reminded_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + AHEAD,
            ).select_related("network")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            meetings = list(due.order_by("starts_at", "id")[:BATCH])
            for meeting in meetings:
                going = Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING)
                do_notify(
                    going.values("user_id"),
                    Notification.Kind.MEETING_REMINDER,
                    network=meeting.network,
                    actor=None,
                    target=("meeting", meeting.pk),
                    data={"title": meeting.title, "starts_at": meeting.starts_at.isoformat()},
                )
            Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(reminded_at=now)
        done += len(meetings)
        if len(meetings) < BATCH:
            return done
