"""Joining and leaving networks, and moderating members.

Members join by the network's policy (or an invitation) and leave; moderators
approve, reject, ban, unban, mute, unmute and remove; owners set roles. Every
action locks the membership row, audits and notifies; none takes a network's
last owner away. A mute or a ban belongs to the person in the network: leaving,
rejoining, an invitation or an approved request never lifts it, only a moderator.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from community import events
from community.actions.common import audit, locked_membership, save_membership
from community.actions.invitations import resolve_invitation
from community.models import Invitation, Membership, Network
from core.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from core.validation import is_int
from notifications.actions import do_notify
from notifications.models import Notification
from permissions import audience, checks
from permissions.roles import Perm

Role = Membership.Role
Status = Membership.Status
Kind = Notification.Kind

MAX_MUTE_MINUTES = 60 * 24 * 365


def _ensure_owner_remains(network: Network, membership: Membership) -> None:
    """Refuse to take the last active owner away: a network always keeps someone in charge."""
    if membership.role != Role.OWNER or not membership.is_active:
        return
    owners = Membership.objects.select_for_update().filter(
        network=network, role=Role.OWNER, status=Status.ACTIVE
    )
    if len(owners.values_list("id", flat=True)) <= 1:
        raise StateConflict(
            "last_owner", "The last owner cannot go; make someone else an owner first."
        )


# --- joining and leaving -----------------------------------------------------------


def find_network_for_join(user: User, slug: str, invitation_token: str | None) -> Network:
    """The network to join: visible ones, or a hidden one the user holds an invitation to."""
    if not checks.is_slug(slug):
        raise NotFound()
    network = Network.objects.filter(slug=slug, archived=False).first()
    if network is None:
        raise NotFound()
    if checks.may_see_network(user, network):
        return network
    if (
        invitation_token
        and Invitation.objects.filter(network=network, token=invitation_token).exists()
    ):
        return network
    raise NotFound()


@transaction.atomic
def do_join_network(
    user: User, network: Network, *, message: str = "", invitation_token: str | None = None
) -> Membership:
    """Join by policy: open → member, approval → pending, invite → needs an invitation.

    A valid invitation skips approval, also for someone whose request is pending. A
    running mute is kept: leaving and coming back does not lift it.
    """
    membership = locked_membership(network, user.pk)
    if membership is not None:
        if membership.status == Status.ACTIVE:
            raise StateConflict("already_member", "You are already a member of this network.")
        if membership.status == Status.BANNED:
            raise NotAllowed("banned", "You are banned from this network.")
        if membership.status == Status.PENDING and not invitation_token:
            raise StateConflict(
                "already_pending", "Your request to join is already waiting for approval."
            )

    invitation = resolve_invitation(network, user, invitation_token) if invitation_token else None
    invited = membership is not None and membership.status == Status.INVITED
    if invitation is None and network.join_policy == Network.JoinPolicy.INVITE and not invited:
        raise NotAllowed("invitation_required", "This network accepts members by invitation only.")

    if invitation is not None or invited or network.join_policy == Network.JoinPolicy.OPEN:
        status, action = Status.ACTIVE, "member.join"
    else:
        status, action = Status.PENDING, "member.request"

    if membership is None:
        membership = Membership(user=user, network=network)
    if status == Status.PENDING:
        # A fresh request: nobody has acted on it yet.
        membership.acted_by, membership.acted_at = None, None
    save_membership(
        membership,
        user,
        role=Role.MEMBER,
        status=status,
        join_message=message,
        joined_at=timezone.now() if status == Status.ACTIVE else None,
    )
    if invitation is not None:
        invitation.uses += 1
        invitation.save(update_fields=["uses"])
    audit(
        network,
        user,
        action,
        target_user_id=user.pk,
        invitation=invitation.pk if invitation else None,
    )
    if status == Status.PENDING:
        do_notify(
            audience.holders_of(network, Perm.MANAGE_MEMBERS),
            Kind.JOIN_REQUEST,
            network=network,
            actor=user,
            target=("membership", membership.pk),
        )
    events.membership_changed(membership)
    return membership


@transaction.atomic
def do_leave_network(user: User, network: Network) -> Membership:
    """Leave a network (or withdraw a join request, or decline an invitation).

    The last owner must hand over ownership first.
    """
    membership = locked_membership(network, user.pk)
    if membership is None or membership.status not in (
        Status.ACTIVE,
        Status.PENDING,
        Status.INVITED,
    ):
        raise StateConflict("not_member", "You are not a member of this network.")
    _ensure_owner_remains(network, membership)
    # The mute stays: it belongs to the person in the network, not to this stay in it.
    save_membership(membership, user, status=Status.LEFT, role=Role.MEMBER)
    audit(network, user, "member.leave", target_user_id=user.pk)
    events.membership_changed(membership, revoked=True)
    return membership


# --- moderation ---------------------------------------------------------------------


def _target(actor: User, network: Network, user_id: int, *, create: bool = False) -> Membership:
    """The target's membership, locked.

    Moderators act on members, owners on anyone but themselves; `create` lets a
    ban reach someone who never joined.
    """
    checks.check_can_manage_members(actor, network)
    membership = locked_membership(network, user_id)
    if membership is None:
        if not create or not get_user_model().objects.filter(pk=user_id).exists():
            raise NotFound("This user is not a member of the network.")
        membership = Membership(user_id=user_id, network=network, status=Status.LEFT)
    if membership.user_id == actor.pk:
        raise NotAllowed("self_action", "You cannot do this to yourself.")
    if not checks.may_act_on(actor, network, membership):
        raise NotAllowed("rank", "You cannot act on a member of equal or higher rank.")
    return membership


def _notify_member(
    network: Network, membership: Membership, actor: User, kind: str, **data: str
) -> None:
    """Tell the member what a moderator or owner did to their membership; a rejected
    requester or banned member who may no longer read the network gets nothing stored."""
    do_notify(
        [membership.user_id],
        kind,
        network=network,
        actor=actor,
        target=("network", membership.network_id),
        data=data,
    )


def _require(membership: Membership, *statuses: str) -> None:
    if membership.status not in statuses:
        raise StateConflict(
            "wrong_status",
            f"This membership is {membership.status}; expected {' or '.join(statuses)}.",
        )


@transaction.atomic
def do_approve_member(actor: User, network: Network, user_id: int) -> Membership:
    """Moderators turn a pending join request into an active membership."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.PENDING)
    save_membership(membership, actor, status=Status.ACTIVE, joined_at=timezone.now())
    audit(network, actor, "member.approve", target_user_id=user_id)
    _notify_member(network, membership, actor, Kind.JOIN_DECISION, decision="approved")
    events.membership_changed(membership)
    return membership


@transaction.atomic
def do_reject_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators decline a pending join request."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.PENDING)
    save_membership(membership, actor, status=Status.LEFT)
    audit(network, actor, "member.reject", target_user_id=user_id, reason=reason)
    _notify_member(network, membership, actor, Kind.JOIN_DECISION, decision="rejected")
    events.membership_changed(membership)
    return membership


@transaction.atomic
def do_ban_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators ban a user: access ends at once and rejoining is refused."""
    membership = _target(actor, network, user_id, create=True)
    if membership.status == Status.BANNED:
        raise StateConflict("already_banned", "This user is already banned.")
    _ensure_owner_remains(network, membership)
    save_membership(membership, actor, status=Status.BANNED, role=Role.MEMBER, ban_reason=reason)
    audit(network, actor, "member.ban", target_user_id=user_id, reason=reason)
    # A banned member may no longer read the network: `do_notify` stores nothing for
    # them (the access rule); the `membership` and `access.revoked` frames tell them.
    _notify_member(network, membership, actor, Kind.MODERATION, action="banned")
    events.membership_changed(membership, revoked=True)
    return membership


@transaction.atomic
def do_unban_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators lift a ban; the user may then join again by the network's policy."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.BANNED)
    save_membership(membership, actor, status=Status.LEFT, ban_reason="")
    audit(network, actor, "member.unban", target_user_id=user_id, reason=reason)
    events.membership_changed(membership)
    return membership


@transaction.atomic
def do_mute_member(
    actor: User, network: Network, user_id: int, minutes: int, reason: str = ""
) -> Membership:
    """Moderators mute an active member: they read but cannot post or chat until it ends."""
    if not is_int(minutes) or not 1 <= minutes <= MAX_MUTE_MINUTES:
        raise InvalidInput(
            "invalid",
            f"minutes must be a whole number from 1 to {MAX_MUTE_MINUTES}.",
            {"minutes": ["Out of range."]},
        )
    membership = _target(actor, network, user_id)
    _require(membership, Status.ACTIVE)
    until = timezone.now() + dt.timedelta(minutes=minutes)
    save_membership(membership, actor, muted_until=until)
    audit(network, actor, "member.mute", target_user_id=user_id, reason=reason, minutes=minutes)
    _notify_member(
        network, membership, actor, Kind.MODERATION, action="muted", until=until.isoformat()
    )
    events.membership_changed(membership)
    return membership


@transaction.atomic
def do_unmute_member(actor: User, network: Network, user_id: int) -> Membership:
    """Moderators end a mute early, also of someone who left (a mute outlives leaving)."""
    membership = _target(actor, network, user_id)
    if not membership.is_muted():
        raise StateConflict("not_muted", "This member is not muted.")
    save_membership(membership, actor, muted_until=None)
    audit(network, actor, "member.unmute", target_user_id=user_id)
    events.membership_changed(membership)
    return membership


@transaction.atomic
def do_remove_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators remove a member (or withdraw an invitation); they may join again later,
    under the same mute if one is running."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.ACTIVE, Status.INVITED, Status.PENDING)
    _ensure_owner_remains(network, membership)
    save_membership(membership, actor, status=Status.LEFT, role=Role.MEMBER)
    audit(network, actor, "member.remove", target_user_id=user_id, reason=reason)
    events.membership_changed(membership, revoked=True)
    return membership


@transaction.atomic
def do_set_role(actor: User, network: Network, user_id: int, role: str) -> Membership:
    """Owners make members moderators or owners, and back; nobody changes their own role."""
    checks.check_can_administer(actor, network)
    if role not in Role.values:
        raise InvalidInput(
            "invalid", f"role must be one of {', '.join(Role.values)}.", {"role": ["Unknown role."]}
        )
    membership = _target(actor, network, user_id)
    _require(membership, Status.ACTIVE)
    if membership.role == role:
        raise StateConflict("same_role", f"This member is already {role}.")
    _ensure_owner_remains(network, membership)
    previous = membership.role
    save_membership(membership, actor, role=role)
    audit(network, actor, "member.set_role", target_user_id=user_id, previous=previous, role=role)
    _notify_member(network, membership, actor, Kind.ROLE_CHANGE, role=role, previous=previous)
    events.membership_changed(membership)
    return membership
