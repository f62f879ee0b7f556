"""A network's gatherings (online, in person or both), who is coming, and the calendar feed
tokens that let a calendar application read them.

Times are stored in UTC with the organiser's IANA time zone beside them, so a meeting
keeps its wall-clock time across a daylight-saving change and each reader is told it in
their own zone. Seats are counted under a row lock on the meeting (meetings.actions):
`going` never exceeds `capacity`, the waitlist is ordered by `position`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from community.models import Network
from core.zones import zone_of


class Meeting(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, help_text=_("IANA name, e.g. Europe/Berlin"))
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.IN_PERSON)
    venue = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    # None: as many as come.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # iCalendar's SEQUENCE: one more at each change a calendar should pick up.
    sequence = models.PositiveIntegerField(default=0)
    # Kept in step with the RSVPs under the meeting's lock (meetings.actions).
    going_count = models.PositiveIntegerField(default=0)
    waitlist_count = models.PositiveIntegerField(default=0)
    # When the 24-hour reminder went out (meetings.reminders), so it goes once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["network", "starts_at", "id"], name="meeting_network_time"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status="scheduled", reminded_at__isnull=True),
                name="meeting_to_remind",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_of(self.timezone)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def has_started(self, at: dt.datetime | None = None) -> bool:
        return self.starts_at <= (at or now())


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITLISTED = "waitlisted", _("On the waitlist")
        MAYBE = "maybe", _("Maybe")
        NOT_GOING = "not_going", _("Not going")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    # Place in the waitlist (smaller first); only for waitlisted answers.
    position = models.PositiveIntegerField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="rsvp_one_per_member"),
        ]
        indexes = [
            models.Index(fields=["meeting", "status", "position"], name="rsvp_meeting_status"),
            models.Index(fields=["user", "status"], name="rsvp_user_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.meeting_id}"


class CalendarKey(models.Model):
    """The version of a user's calendar-feed token: the token itself is an HMAC of the user
    and this version (meetings.feeds), so revoking it is one more version."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"calendar key {self.user_id} v{self.version}"
