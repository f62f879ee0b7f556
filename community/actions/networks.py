"""Creating networks and editing them (owners); the slug never changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import events
from community.actions.common import audit
from community.models import Membership, Network
from core.errors import InvalidInput, NotAllowed, StateConflict
from core.names import clean_name
from permissions import checks
from permissions.actions import do_sync_grants, invalidate_all_access

Role = Membership.Role
Status = Membership.Status


def check_create_network(user: User) -> None:
    """Staff and holders of community.add_network may create networks."""
    if not (user.is_staff or user.has_perm("community.add_network")):
        raise NotAllowed("permission_denied", "You may not create networks.")


def _clean_names(fields: dict[str, Any]) -> dict[str, Any]:
    """The name without bidi controls or stray zero-width characters (core.names)."""
    if isinstance(fields.get("name"), str):
        name = clean_name(fields["name"])
        if not name:
            raise InvalidInput("invalid", "The name cannot be empty.", {"name": ["Empty."]})
        fields = {**fields, "name": name}
    return fields


@transaction.atomic
def do_create_network(creator: User, **fields: Any) -> Network:
    """Create a network; the creator becomes its owner."""
    fields = _clean_names(fields)
    if Network.objects.filter(slug=fields.get("slug")).exists():
        raise StateConflict(
            "slug_taken", "A network with this slug already exists.", {"slug": ["Taken."]}
        )
    try:
        with transaction.atomic():
            network = Network.objects.create(created_by=creator, **fields)
    except IntegrityError:
        raise StateConflict(
            "slug_taken", "A network with this slug already exists.", {"slug": ["Taken."]}
        ) from None
    membership = Membership.objects.create(
        user=creator,
        network=network,
        role=Role.OWNER,
        status=Status.ACTIVE,
        joined_at=timezone.now(),
    )
    do_sync_grants(membership)
    audit(network, creator, "network.create", target=network)
    invalidate_all_access()
    return network


@transaction.atomic
def do_update_network(actor: User, network: Network, **changes: Any) -> Network:
    """Owners edit a network; the slug cannot change (clients address networks by it)."""
    checks.check_can_administer(actor, network)
    changes.pop("slug", None)
    changes = _clean_names(changes)
    before = {field: getattr(network, field) for field in changes}
    for field, value in changes.items():
        setattr(network, field, value)
    network.save()
    changed = {f: [before[f], v] for f, v in changes.items() if before[f] != v}
    if changed:
        audit(network, actor, "network.update", target=network, changes=changed)
    if "visibility" in changed or "archived" in changed:
        invalidate_all_access()
        events.network_changed(network)
    return network
