"""Calls for expertise posted in a network, and the members' applications to them.

A call is a need (a mission, mentoring, teaching, an investment, a return) with the
profile vocabulary's sectors, languages and countries, so that `calls.matching` can find
the members who fit it through the directory's own search. Positions are counted under
the call's row lock (`calls.actions`): a call is `filled` exactly when its last
position is accepted, however many posters click at once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from community.models import Network
from directory.vocabulary import Engagement, Region


class Call(models.Model):
    class Kind(models.TextChoices):
        EXPERTISE_MISSION = "expertise_mission", _("Expertise mission")
        MENTORING = "mentoring", _("Mentoring")
        TEACHING = "teaching", _("Teaching")
        INVESTMENT = "investment", _("Investment")
        TEMPORARY_RETURN = "temporary_return", _("Temporary return")
        PERMANENT_RETURN = "permanent_return", _("Permanent return")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        FILLED = "filled", _("Filled")
        CANCELLED = "cancelled", _("Cancelled")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="calls")
    poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The directory's vocabulary (directory.vocabulary, directory.iso_codes): codes.
    sectors = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    remote = models.BooleanField(default=False)
    moroccan_region = models.CharField(max_length=32, choices=Region.choices, blank=True)
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateTimeField()
    positions = models.PositiveIntegerField(default=1)
    # An application must say something (a motivation) when set.
    message_required = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Kept in step with the applications under the call's lock (calls.actions).
    applications_count = models.PositiveIntegerField(default=0)
    accepted_count = models.PositiveIntegerField(default=0)
    # The days of its completed missions: the call's record outlives the applications
    # (an account's erasure takes them, not what the network achieved).
    mission_days = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["network", "status", "deadline", "id"], name="call_network_open"),
            models.Index(fields=["poster", "status"], name="call_poster"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(positions__gte=1), name="call_positions_positive"),
            models.CheckConstraint(
                condition=Q(accepted_count__lte=models.F("positions")),
                name="call_accepted_within_positions",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def accepts_applications(self, at: dt.datetime | None = None) -> bool:
        return self.status == self.Status.OPEN and self.deadline > (at or now())

    @property
    def engagement(self) -> str | None:
        """The profile engagement kind that fits this call (None for `other`)."""
        return ENGAGEMENT_OF.get(self.kind)


# A call's kind → the `engagement` a member ticks on their profile for it.
ENGAGEMENT_OF: dict[str, str] = {
    Call.Kind.EXPERTISE_MISSION: Engagement.EXPERTISE_MISSIONS,
    Call.Kind.MENTORING: Engagement.MENTORING,
    Call.Kind.TEACHING: Engagement.TEACHING,
    Call.Kind.INVESTMENT: Engagement.INVESTMENT,
    Call.Kind.TEMPORARY_RETURN: Engagement.TEMPORARY_RETURN,
    Call.Kind.PERMANENT_RETURN: Engagement.PERMANENT_RETURN,
}


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(blank=True)
    available_from = models.DateField(null=True, blank=True)
    available_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_days = models.PositiveIntegerField(null=True, blank=True)
    outcome_feedback = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="application_one_per_call"),
        ]
        indexes = [
            models.Index(fields=["call", "status", "id"], name="application_call_status"),
            models.Index(fields=["applicant", "created_at"], name="application_applicant"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} → {self.call_id} ({self.status})"
