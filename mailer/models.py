"""One row per outgoing message: the truth of what was mailed, to whom, and whether it went.

A row records what to say (kind and payload), never the text nor a secret: its renderer
(`mailer.registry`) builds the message when it is sent, in the row's language, with any
token made then. `status` moves pending → sending (claimed under a lease) → sent, or back
to pending with a later `next_attempt_at` after a failure; `skipped` when there was
nothing left to say, `failed` when it was given up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Mail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        SKIPPED = "skipped"
        FAILED = "failed"

    kind = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to_address = models.EmailField(max_length=254)
    language = models.CharField(max_length=8)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When a pending row is due, or when a sending row's lease ends.
    next_attempt_at = models.DateTimeField()
    # The claim a sending row is under: a worker marks only rows still holding its token,
    # so one whose lease ended cannot overwrite what a worker that claimed it again did.
    lease_token = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The sweep: rows still to send whose time has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="mail_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_address} ({self.status})"
