"""Networks and memberships, created through the real actions."""

from __future__ import annotations

import itertools
from typing import Any

from community import actions
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
    return actions.do_create_network(owner, **defaults)


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
