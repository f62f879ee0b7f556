"""A notification: one row per recipient, written by the action that causes it.

The row keeps what happened (kind, network, actor, target and a little `data`), never
the text: that is rendered when read, in the recipient's language (`texts`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply")
        DIRECT_MESSAGE = "direct_message", _("Direct message")
        JOIN_REQUEST = "join_request", _("Join request")
        JOIN_DECISION = "join_decision", _("Join decision")
        ROLE_CHANGE = "role_change", _("Role change")
        MODERATION = "moderation", _("Moderation")
        CALL_MATCH = "call_match", _("Call match")
        APPLICATION = "application", _("Application")
        APPLICATION_DECISION = "application_decision", _("Application decision")
        MEETING_NEW = "meeting_new", _("New meeting")
        MEETING_UPDATE = "meeting_update", _("Meeting update")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        WAITLIST_PROMOTED = "waitlist_promoted", _("Waitlist promotion")
        SUPPORT_UPDATE = "support_update", _("Support update")

    # No index of its own: the recipient leads both indexes below, which serve every
    # look-up by recipient (a user's deletion included); a third would only slow the
    # 50,000-row insert of a fan-out.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    network = models.ForeignKey(
        "community.Network", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Instant mail (notifications.gather): when this row's fate was settled, and the mail
    # that carried it (null with `mail_settled_at` set: not mailed — read, email off for
    # it, an unverified address, or no longer readable).
    mail = models.ForeignKey(
        "mailer.Mail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mail_settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The recipient's list, newest first (keyset on -id).
            models.Index(fields=["recipient", "-id"], name="notification_recipient"),
            # The unread count and the `?unread=true` list.
            models.Index(
                fields=["recipient", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # Instant mail gathering: the rows whose mail is still to be decided.
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(mail_settled_at__isnull=True),
                name="notification_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class EmailMode(models.TextChoices):
    INSTANT = "instant", _("Each time (gathered over 2 minutes)")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")
    OFF = "off", _("No email")


class NotificationSettings(models.Model):
    """A user's email choices (no row: instant, every kind on). `kinds` holds only the
    kinds switched off or on explicitly ({kind: bool}); it governs email only — the
    in-app list shows every kind. The last digest times keep a restart from resending."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    email = models.CharField(max_length=8, choices=EmailMode.choices, default=EmailMode.INSTANT)
    kinds = models.JSONField(default=dict, blank=True)
    daily_digest_at = models.DateTimeField(null=True, blank=True)
    weekly_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"

    def kind_on(self, kind: str) -> bool:
        return bool(self.kinds.get(kind, True))


class NetworkEmailSetting(models.Model):
    """A per-network override of the user's email mode."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    network = models.ForeignKey("community.Network", on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=8, choices=EmailMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="network_email_unique")
        ]
        indexes = [models.Index(fields=["email", "user"], name="network_email_mode")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.network_id}: {self.email}"
