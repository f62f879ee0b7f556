"""Networks and memberships, created through the real actions."""

from __future__ import annotations

import itertools
from typing import Any

from community.actions import networks
from community.models import Membership, Network
from permissions.actions import do_sync_grants

_counter = itertools.count(1)


def make_network(owner: Any, **fields: Any) -> Network:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "name": f"Network {n}",
        "slug": f"network-{n}",
        "kind": Network.Kind.THEMATIC,
        "theme": "health",
        "visibility": Network.Visibility.PUBLIC,
        "join_policy": Network.JoinPolicy.OPEN,
    }
    defaults.update(fields)
    return networks.do_create_network(owner, **defaults)


def add_member(
    network: Network,
    user: Any,
    role: str = Membership.Role.MEMBER,
    status: str = Membership.Status.ACTIVE,
    **fields: Any,
) -> Membership:
    """Put a user in a network in a given role/status, with matching guardian grants.

    A fixture shortcut for arranging state; the behaviour of joining, approving and
    banning is tested through the actions themselves.
    """
    membership, _ = Membership.objects.update_or_create(
        user=user, network=network, defaults={"role": role, "status": status, **fields}
    )
    do_sync_grants(membership)
    return membership


def bulk_add_members(
    rows: list[tuple[Network, Any, str, str]], acted_by: Any | None = None
) -> list[Membership]:
    """Many (network, user, role, status) memberships at once, grants included.

    For tests that need hundreds of rows (query-count and pagination tests): a few
    queries in total instead of several per membership. The grants are exactly what
    `do_sync_grants` would write.
    """
    from django.contrib.auth.models import Permission

    from permissions.models import NetworkUserObjectPermission
    from permissions.roles import perms_for

    memberships = Membership.objects.bulk_create(
        Membership(network=n, user=u, role=role, status=status, acted_by=acted_by)
        for n, u, role, status in rows
    )
    permission_ids = dict(
        Permission.objects.filter(content_type__app_label="community").values_list("codename", "id")
    )
    NetworkUserObjectPermission.objects.bulk_create(
        NetworkUserObjectPermission(
            user_id=m.user_id, content_object_id=m.network_id, permission_id=permission_ids[p]
        )
        for m in memberships
        for p in perms_for(m)
    )
    return memberships
