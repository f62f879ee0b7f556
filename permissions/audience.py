"""Who, among many people, may read a network or holds a permission on it: one query
for a whole list of recipients (notifications), by the same rules as `checks`.

`readers` is the rule as a queryset, so it can stand inside a bigger statement (the
50,000 rows of a fan-out are one INSERT … SELECT over it); `readers_among` runs it for
a list of ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from community.models import Membership, Network
from permissions.models import NetworkUserObjectPermission
from permissions.roles import Perm


def _holds(network: Network, perm: Perm) -> Exists:
    return Exists(
        NetworkUserObjectPermission.objects.filter(
            content_object=network,
            user_id=OuterRef("pk"),
            permission__codename=perm.value,
            permission__content_type__app_label="community",
        )
    )


def readers(network: Network, candidates: QuerySet[Any] | Iterable[int]) -> QuerySet[Any]:
    """The users among `candidates` (a queryset of user ids, e.g. a network's members as
    `values("user_id")`, or a list of ids) who may read the network now
    (`checks.may_read`): staff, its readers, and anyone not banned from a public one.
    An archived network has none. Lazy: one query wherever it is evaluated or nested."""
    users = get_user_model().objects
    if network.archived:
        return users.none()
    rule: Any = Q(is_staff=True) | _holds(network, Perm.READ)
    if network.visibility == Network.Visibility.PUBLIC:
        banned = Membership.objects.filter(
            network=network, user_id=OuterRef("pk"), status=Membership.Status.BANNED
        )
        rule |= ~Exists(banned)
    return users.filter(pk__in=candidates, is_active=True).filter(rule)


def readers_among(network: Network, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who may read the network now (`readers`), in one query."""
    ids = {int(uid) for uid in user_ids}
    if not ids or network.archived:
        return set()
    return set(readers(network, ids).values_list("pk", flat=True))


def holders_of(network: Network, perm: Perm) -> list[int]:
    """Ids of the people granted `perm` on the network (guardian's direct-FK table)."""
    return list(
        NetworkUserObjectPermission.objects.filter(
            content_object=network,
            permission__codename=perm.value,
            permission__content_type__app_label="community",
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
