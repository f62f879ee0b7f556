"""Networks, memberships, invitations and the moderation audit log."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 2–50 lowercase letters, digits and hyphens; start and end with a letter or digit."),
)


class Network(models.Model):
    class Kind(models.TextChoices):
        GEOGRAPHIC = "geographic", _("Geographic")
        THEMATIC = "thematic", _("Thematic")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")
        HIDDEN = "hidden", _("Hidden")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVAL = "approval", _("On approval")
        INVITE = "invite", _("By invitation")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    kind = models.CharField(max_length=16, choices=Kind.choices)
    country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO 3166 code, geographic networks")
    )
    theme = models.CharField(max_length=120, blank=True, help_text=_("Theme, thematic networks"))
    description = models.TextField(blank=True, max_length=5000)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"]), models.Index(fields=["visibility"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Who belongs to which network, in what role and status. What each may do there is
    guardian's (`permissions`): the role names a default bundle of permissions."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Pending approval")
        INVITED = "invited", _("Invited")
        BANNED = "banned", _("Banned")
        LEFT = "left", _("Left")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    join_message = models.TextField(blank=True, max_length=2000)
    muted_until = models.DateTimeField(null=True, blank=True)
    ban_reason = models.TextField(blank=True, max_length=2000)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network"], name="membership_unique_user_network"
            ),
        ]
        indexes = [
            models.Index(fields=["network", "status", "id"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.network_id} {self.role}/{self.status}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def is_muted(self, now: datetime | None = None) -> bool:
        return self.muted_until is not None and self.muted_until > (now or timezone.now())


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    email = models.EmailField(blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["network", "id"])]

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.network_id}"

    def usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        if self.expires_at is not None and self.expires_at <= now:
            return False
        return self.max_uses is None or self.uses < self.max_uses


class AuditEntry(models.Model):
    """Who did what to whom in a network, when and why. Written by actions only."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["network", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(action=""), name="audit_action_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.target_user_id}"
