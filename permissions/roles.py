"""The permission vocabulary: what may be done in a network, and each role's default bundle.

The only place codenames live. They are guardian object permissions on
`community.Network`: `permissions.apps` creates their `auth.Permission` rows after
every migrate (as Django does for `Meta.permissions`, which community's models no
longer repeat), and `permissions.actions.do_sync_grants` writes a member's effective
set into guardian's direct-FK table, which every check reads.

- `read_network` and `participate_network` come with being an active member (any
  role); `administer_network` (edit the network, change roles, grant and withdraw
  permissions) with being an owner. They follow the membership and cannot be granted
  or withdrawn one by one: a ban, a mute or a role change says it.
- The grantable ones (`GRANTABLE`) split what the old coarse `moderate_network` said:
  `moderate_forums` (categories, pin, lock, move, take down and restore topics and
  posts, see deleted ones and revisions), `manage_rooms` (create rooms, post in
  moderators-only rooms, take down messages), `manage_members` (approve, reject,
  ban, mute, remove, invite, see pending and banned people and everyone's
  permissions), and the second wave's `manage_meetings`, `publish_calls`,
  `support_projects` and `view_insights`. "A moderator" (`checks.may_moderate`, the
  moderation pages and the audit log) is whoever holds one of `MODERATION`.
- Bundles: a member reads and participates; a moderator adds the moderation,
  meeting and call permissions; an owner holds everything.
- An owner may grant a member or moderator a permission their role lacks, or
  withdraw one it carries (`permissions.models.PermissionOverride`): the effective
  set is bundle + granted − withdrawn. The overrides survive a change between member
  and moderator (they are the owner's explicit word, and what no longer changes
  anything under the new role simply has no effect); they are dropped when the
  person becomes an owner (owners hold the whole bundle and are not overridden) and
  when the membership stops being active (leaving, removal, a ban), just as the role
  falls back to member then.
- The rank rule (whose words a moderator may change, on whom one acts) stays with
  the role: `ROLE_RANK`, where holding the permission in question ranks one as a
  moderator at least.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from community.models import Membership

Role = Membership.Role


class Perm(StrEnum):
    """Object permissions on a Network."""

    READ = "read_network"
    PARTICIPATE = "participate_network"
    ADMINISTER = "administer_network"
    MODERATE_FORUMS = "moderate_forums"
    MANAGE_ROOMS = "manage_rooms"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_MEETINGS = "manage_meetings"
    PUBLISH_CALLS = "publish_calls"
    SUPPORT_PROJECTS = "support_projects"
    VIEW_INSIGHTS = "view_insights"


# What each permission lets one do: the auth.Permission rows' names (in English) and
# the labels of the owner's form.
PERM_NAMES: dict[Perm, Promise] = {
    Perm.READ: _("Read the network's forums, rooms and directory"),
    Perm.PARTICIPATE: _("Post and chat in the network"),
    Perm.ADMINISTER: _("Edit the network, change roles and grant permissions"),
    Perm.MODERATE_FORUMS: _("Moderate the network's forums"),
    Perm.MANAGE_ROOMS: _("Create and moderate the network's chat rooms"),
    Perm.MANAGE_MEMBERS: _("Approve, ban, mute, remove and invite members"),
    Perm.MANAGE_MEETINGS: _("Organize the network's meetings"),
    Perm.PUBLISH_CALLS: _("Publish calls in the network"),
    Perm.SUPPORT_PROJECTS: _("Follow project holders' cases on the support desk"),
    Perm.VIEW_INSIGHTS: _("See the network's insights"),
}

# What an owner may grant or withdraw, one by one.
GRANTABLE: frozenset[Perm] = frozenset(
    {
        Perm.MODERATE_FORUMS,
        Perm.MANAGE_ROOMS,
        Perm.MANAGE_MEMBERS,
        Perm.MANAGE_MEETINGS,
        Perm.PUBLISH_CALLS,
        Perm.SUPPORT_PROJECTS,
        Perm.VIEW_INSIGHTS,
    }
)

# Holding any of these makes one "a moderator" of the network.
MODERATION: frozenset[Perm] = frozenset(
    {Perm.MODERATE_FORUMS, Perm.MANAGE_ROOMS, Perm.MANAGE_MEMBERS}
)

_MEMBER = frozenset({Perm.READ, Perm.PARTICIPATE})
_MODERATOR = _MEMBER | MODERATION | {Perm.MANAGE_MEETINGS, Perm.PUBLISH_CALLS}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.MEMBER: _MEMBER,
    Role.MODERATOR: _MODERATOR,
    Role.OWNER: frozenset(Perm),
}

# Rank for "may act on": a moderator may act on members, an owner on anyone.
ROLE_RANK: dict[str, int] = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.OWNER: 2}


def overridable(membership: Membership) -> bool:
    """May this membership carry overrides? An active member or moderator, not an owner."""
    return membership.status == Membership.Status.ACTIVE and membership.role != Role.OWNER


def perms_for(
    membership: Membership, granted: Iterable[Perm] = (), revoked: Iterable[Perm] = ()
) -> frozenset[Perm]:
    """Grants a membership carries: nothing unless active; else its role's bundle, plus
    the (grantable) permissions granted, minus those withdrawn (none for an owner)."""
    if membership.status != Membership.Status.ACTIVE:
        return frozenset()
    bundle = ROLE_PERMS[membership.role]
    if not overridable(membership):
        return bundle
    return (bundle | (GRANTABLE & set(granted))) - (GRANTABLE & set(revoked))
