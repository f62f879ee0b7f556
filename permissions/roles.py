"""The permission vocabulary: which role may do what in a network. The only place it lives."""

from __future__ import annotations

from enum import StrEnum

from community.models import Membership

Role = Membership.Role


class Perm(StrEnum):
    """Object permissions on a Network (declared in Network.Meta.permissions)."""

    READ = "read_network"
    PARTICIPATE = "participate_network"
    MODERATE = "moderate_network"
    ADMINISTER = "administer_network"


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.MEMBER: frozenset({Perm.READ, Perm.PARTICIPATE}),
    Role.MODERATOR: frozenset({Perm.READ, Perm.PARTICIPATE, Perm.MODERATE}),
    Role.OWNER: frozenset({Perm.READ, Perm.PARTICIPATE, Perm.MODERATE, Perm.ADMINISTER}),
}

# Rank for "may act on": a moderator may act on members, an owner on anyone.
ROLE_RANK: dict[str, int] = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.OWNER: 2}


def perms_for(membership: Membership) -> frozenset[Perm]:
    """Grants a membership carries: its role's permissions while active, nothing otherwise."""
    if membership.status != Membership.Status.ACTIVE:
        return frozenset()
    return ROLE_PERMS[membership.role]
