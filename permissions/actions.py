"""Turn memberships (and the owner's overrides) into guardian grants. Called by actions,
inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction

from community.models import Membership, Network
from permissions.checks import GENERATION_KEY, overrides_of, user_access_key
from permissions.models import NetworkUserObjectPermission, PermissionOverride
from permissions.roles import Perm, overridable, perms_for


def _permission_ids(perms: frozenset[Perm]) -> set[int]:
    if not perms:
        return set()
    content_type = ContentType.objects.get_for_model(Network)
    return set(
        Permission.objects.filter(
            content_type=content_type, codename__in=[p.value for p in perms]
        ).values_list("id", flat=True)
    )


def do_sync_grants(membership: Membership) -> frozenset[Perm]:
    """Make the user's guardian grants on the network match the membership exactly: the
    role's bundle plus granted minus withdrawn. A membership that may no longer carry
    overrides (an owner, or no longer active) loses them. Returns the effective set."""
    granted, revoked = overrides_of(membership)
    if (granted or revoked) and not overridable(membership):
        PermissionOverride.objects.filter(membership_id=membership.pk).delete()
        granted = revoked = frozenset()
    effective = perms_for(membership, granted, revoked)
    wanted = _permission_ids(effective)
    grants = NetworkUserObjectPermission.objects.filter(
        user_id=membership.user_id, content_object_id=membership.network_id
    )
    have = set(grants.values_list("permission_id", flat=True))
    if have - wanted:
        grants.filter(permission_id__in=have - wanted).delete()
    NetworkUserObjectPermission.objects.bulk_create(
        NetworkUserObjectPermission(
            user_id=membership.user_id, content_object_id=membership.network_id, permission_id=pid
        )
        for pid in wanted - have
    )
    invalidate_user_access(membership.user_id)
    return effective


def write_overrides(
    membership: Membership, grant: Iterable[Perm], revoke: Iterable[Perm], by: int | None
) -> frozenset[Perm]:
    """Record the owner's word (a grant replaces an earlier withdrawal and back), drop what
    now only repeats the role's bundle, and resync the grants. Returns the effective set.
    Called by `community.actions.grants`, which checks who may and audits."""
    bundle = perms_for(membership)
    for perm, is_grant in [*((p, True) for p in grant), *((p, False) for p in revoke)]:
        rows = PermissionOverride.objects.filter(membership_id=membership.pk, codename=perm.value)
        if is_grant == (perm in bundle):
            rows.delete()  # granting what the role carries, withdrawing what it lacks
        else:
            PermissionOverride.objects.update_or_create(
                membership_id=membership.pk,
                codename=perm.value,
                defaults={"granted": is_grant, "by_id": by},
            )
    return do_sync_grants(membership)


def invalidate_user_access(user_id: int) -> None:
    """Forget a user's cached readable networks once the change commits."""
    transaction.on_commit(lambda: cache.delete(user_access_key(user_id)))


def invalidate_all_access() -> None:
    """A network appeared or changed visibility: every user's cached readable set is stale."""

    def bump() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, None)

    transaction.on_commit(bump)
