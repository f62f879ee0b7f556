"""Turn memberships into guardian grants. Called by community actions, inside their transaction."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction

from community.models import Membership, Network
from permissions.checks import GENERATION_KEY, user_access_key
from permissions.models import NetworkUserObjectPermission
from permissions.roles import Perm, perms_for


def _permission_ids(perms: frozenset[Perm]) -> set[int]:
    if not perms:
        return set()
    content_type = ContentType.objects.get_for_model(Network)
    return set(
        Permission.objects.filter(
            content_type=content_type, codename__in=[p.value for p in perms]
        ).values_list("id", flat=True)
    )


def do_sync_grants(membership: Membership) -> None:
    """Make the user's guardian grants on the network match the membership exactly."""
    wanted = _permission_ids(perms_for(membership))
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
