"""Owners grant and withdraw single permissions of a member (`permissions.roles.GRANTABLE`).

The overrides are stored on the membership and guardian's table holds the effective
set (`permissions.actions.write_overrides`); the rules of what survives a role change
are in `permissions.roles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from community import events
from community.actions.common import audit, locked_membership
from community.models import Membership, Network
from core.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from permissions import checks
from permissions.actions import write_overrides
from permissions.roles import GRANTABLE, Perm

Role = Membership.Role
Status = Membership.Status


@dataclass(frozen=True)
class MemberPermissions:
    """What a member may do in a network, and how it differs from their role's bundle."""

    membership: Membership
    permissions: frozenset[Perm]
    granted: frozenset[Perm]
    revoked: frozenset[Perm]


def member_permissions(viewer: Any, network: Network, user_id: int) -> MemberPermissions:
    """A member's permissions, for holders of manage_members and the member themself."""
    if viewer.pk != user_id:
        checks.check_can_manage_members(viewer, network)
    membership = checks.membership_of(network, user_id)
    if membership is None:
        raise NotFound("This user is not a member of the network.")
    granted, revoked = checks.overrides_of(membership)
    held = checks.held_permissions(network, user_id)
    return MemberPermissions(membership, held, granted, revoked)


def _codenames(value: Any, field: str) -> frozenset[Perm]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("invalid", f"{field} must be a list of permissions.", {field: ["List."]})
    unknown = sorted({v for v in value if v not in {p.value for p in GRANTABLE}})
    if unknown:
        raise InvalidInput(
            "invalid",
            f"Unknown permission: {', '.join(unknown)[:200]}. One may grant or withdraw "
            f"{', '.join(sorted(p.value for p in GRANTABLE))}.",
            {field: [f"Unknown permission: {name[:64]}." for name in unknown[:10]]},
        )
    return frozenset(Perm(v) for v in value)


def check_set_permissions(
    actor: User, network: Network, user_id: int, grant: Any, revoke: Any
) -> tuple[Membership, frozenset[Perm], frozenset[Perm]]:
    """Owners change the permissions of an active member or moderator (not their own, not
    an owner's: an owner holds everything). Returns the locked membership and the parsed
    (grant, revoke); call inside the transaction."""
    checks.check_can_administer(actor, network)
    to_grant, to_revoke = _codenames(grant, "grant"), _codenames(revoke, "revoke")
    if not to_grant and not to_revoke:
        raise InvalidInput(
            "invalid", "Name a permission to grant or revoke.", {"grant": ["Nothing to change."]}
        )
    if to_grant & to_revoke:
        both = ", ".join(sorted(to_grant & to_revoke))
        raise InvalidInput(
            "invalid", f"Both granted and revoked: {both}.", {"revoke": [f"Also granted: {both}."]}
        )
    if user_id == actor.pk:
        raise NotAllowed("self_action", "You cannot change your own permissions.")
    membership = locked_membership(network, user_id)
    if membership is None or membership.status in (Status.LEFT, Status.PENDING, Status.INVITED):
        raise NotFound("This user is not a member of the network.")
    if membership.status == Status.BANNED:
        raise StateConflict("banned", "This user is banned; lift the ban first.")
    if membership.role == Role.OWNER:
        raise StateConflict(
            "owner", "An owner holds every permission; change their role to change them."
        )
    return membership, to_grant, to_revoke


@transaction.atomic
def do_set_permissions(
    actor: User, network: Network, user_id: int, grant: Any = None, revoke: Any = None
) -> MemberPermissions:
    """Grant and withdraw single permissions of a member (owners; audited); the member's
    sockets re-read their access."""
    membership, to_grant, to_revoke = check_set_permissions(actor, network, user_id, grant, revoke)
    before = checks.held_permissions(network, user_id)
    effective = write_overrides(membership, to_grant, to_revoke, actor.pk)
    checks.forget(network)
    audit(
        network,
        actor,
        "member.permissions",
        target_user_id=user_id,
        grant=sorted(to_grant),
        revoke=sorted(to_revoke),
        before=sorted(before),
        after=sorted(effective),
    )
    events.membership_changed(membership)
    granted, revoked = checks.overrides_of(membership)
    return MemberPermissions(membership, effective, granted, revoked)
