"""guardian's object-permission table with a direct foreign key to Network, and the
owner's per-member overrides it is computed from.

Direct keys (instead of guardian's generic content_type + object_pk text column)
make grants joinable and indexable, and deleting a network deletes its grants.
Permissions are given to people, never to groups, so there is no group table.
"""

from django.conf import settings
from django.db import models
from guardian.models import UserObjectPermissionBase

from community.models import Membership, Network
from permissions.roles import GRANTABLE


class NetworkUserObjectPermission(UserObjectPermissionBase):
    """A user's effective permission on a network: what every check reads. Written only by
    `permissions.actions.do_sync_grants` (role bundle + granted − withdrawn)."""

    content_object = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="user_grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"])]


class PermissionOverride(models.Model):
    """An owner's word on one permission of one member: granted beyond the role's bundle,
    or withdrawn from it. Kept apart from guardian's table so a role change recomputes
    the effective set without losing it (rules in `permissions.roles`)."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="permission_overrides"
    )
    codename = models.CharField(
        max_length=64, choices=sorted((p.value, p.value) for p in GRANTABLE)
    )
    granted = models.BooleanField(help_text="Granted beyond the role (else withdrawn from it)")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "codename"], name="permission_override_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.granted else '-'}{self.codename} on {self.membership_id}"
