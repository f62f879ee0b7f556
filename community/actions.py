"""Every write to networks and memberships. `check_*` validate, `do_*` write, audit and notify.

Views, the admin, management commands and consumers call these; nothing else
writes Network, Membership, Invitation or AuditEntry rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import AuditEntry, Invitation, Membership, Network
from config.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from config.events import network_group, send_event_on_commit, user_group
from permissions import checks
from permissions.actions import do_sync_grants, invalidate_all_access

Role = Membership.Role
Status = Membership.Status

MAX_MUTE_MINUTES = 60 * 24 * 365


def audit(
    network: Network,
    actor: User | None,
    action: str,
    *,
    target_user_id: int | None = None,
    target: Any = None,
    reason: str = "",
    **details: Any,
) -> AuditEntry:
    """Record a moderation or administration event. Call inside the action's transaction."""
    return AuditEntry.objects.create(
        network=network,
        actor=actor,
        action=action,
        target_user_id=target_user_id,
        target_type=target._meta.model_name if target is not None else "",
        target_id=target.pk if target is not None else None,
        reason=reason,
        details=details,
    )


def _notify_membership(membership: Membership, *, revoked: bool = False) -> None:
    event = {
        "type": "community.membership",
        "network": membership.network_id,
        "user": membership.user_id,
        "role": membership.role,
        "status": membership.status,
        "muted_until": membership.muted_until.isoformat() if membership.muted_until else None,
    }
    send_event_on_commit(user_group(membership.user_id), event)
    send_event_on_commit(network_group(membership.network_id), event)
    if revoked:
        # Every socket of this user, on every worker, drops the network's subscriptions.
        send_event_on_commit(
            user_group(membership.user_id),
            {"type": "access.revoked", "network": membership.network_id},
        )


def _save_membership(membership: Membership, actor: User | None, **changes: Any) -> Membership:
    for field, value in changes.items():
        setattr(membership, field, value)
    membership.acted_by = actor
    membership.acted_at = timezone.now()
    membership.save()
    do_sync_grants(membership)
    # The caller's network object carries memoized membership and grants; drop them.
    checks.forget(membership.network)
    return membership


def _locked_membership(network: Network, user_id: int) -> Membership | None:
    """The user's membership row, locked for this transaction, bound to `network`.

    Binding the caller's network object avoids a query per action and lets
    `checks.forget` clear the memo the caller will read next.
    """
    membership = (
        Membership.objects.select_for_update().filter(user_id=user_id, network=network).first()
    )
    if membership is not None:
        membership.network = network
    return membership


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


# --- networks -------------------------------------------------------------------


def check_create_network(user: User) -> None:
    """Staff and holders of community.add_network may create networks."""
    if not (user.is_staff or user.has_perm("community.add_network")):
        raise NotAllowed("permission_denied", "You may not create networks.")


@transaction.atomic
def do_create_network(creator: User, **fields: Any) -> Network:
    """Create a network; the creator becomes its owner."""
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
    before = {field: getattr(network, field) for field in changes}
    for field, value in changes.items():
        setattr(network, field, value)
    network.save()
    changed = {f: [before[f], v] for f, v in changes.items() if before[f] != v}
    if changed:
        audit(network, actor, "network.update", target=network, changes=changed)
    if "visibility" in changed or "archived" in changed:
        invalidate_all_access()
        send_event_on_commit(
            network_group(network.id),
            {"type": "community.network", "network": network.id, "visibility": network.visibility},
        )
    return network


# --- joining and leaving -----------------------------------------------------------


def _resolve_invitation(network: Network, user: User, token: str) -> Invitation:
    invitation = Invitation.objects.select_for_update().filter(network=network, token=token).first()
    if invitation is None or invitation.revoked_at is not None:
        raise NotAllowed("invitation_invalid", "This invitation is not valid.")
    now = timezone.now()
    if invitation.expires_at is not None and invitation.expires_at <= now:
        raise NotAllowed("invitation_expired", "This invitation has expired.")
    if invitation.max_uses is not None and invitation.uses >= invitation.max_uses:
        raise NotAllowed("invitation_used_up", "This invitation has been used up.")
    if invitation.email and invitation.email.lower() != (user.email or "").lower():
        raise NotAllowed(
            "invitation_email_mismatch", "This invitation was sent to another address."
        )
    return invitation


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

    A valid invitation skips approval, also for someone whose request is pending.
    """
    membership = _locked_membership(network, user.pk)
    if membership is not None:
        if membership.status == Status.ACTIVE:
            raise StateConflict("already_member", "You are already a member of this network.")
        if membership.status == Status.BANNED:
            raise NotAllowed("banned", "You are banned from this network.")
        if membership.status == Status.PENDING and not invitation_token:
            raise StateConflict(
                "already_pending", "Your request to join is already waiting for approval."
            )

    invitation = _resolve_invitation(network, user, invitation_token) if invitation_token else None
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
    _save_membership(
        membership,
        user,
        role=Role.MEMBER,
        status=status,
        join_message=message,
        joined_at=timezone.now() if status == Status.ACTIVE else None,
        muted_until=None,
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
    _notify_membership(membership)
    return membership


@transaction.atomic
def do_leave_network(user: User, network: Network) -> Membership:
    """Leave a network (or withdraw a join request, or decline an invitation).

    The last owner must hand over ownership first.
    """
    membership = _locked_membership(network, user.pk)
    if membership is None or membership.status not in (
        Status.ACTIVE,
        Status.PENDING,
        Status.INVITED,
    ):
        raise StateConflict("not_member", "You are not a member of this network.")
    _ensure_owner_remains(network, membership)
    _save_membership(membership, user, status=Status.LEFT, role=Role.MEMBER, muted_until=None)
    audit(network, user, "member.leave", target_user_id=user.pk)
    _notify_membership(membership, revoked=True)
    return membership


# --- moderation ---------------------------------------------------------------------


def _target(actor: User, network: Network, user_id: int, *, create: bool = False) -> Membership:
    """The target's membership, locked.

    Moderators act on members, owners on anyone but themselves; `create` lets a
    ban reach someone who never joined.
    """
    checks.check_can_moderate(actor, network)
    membership = _locked_membership(network, user_id)
    if membership is None:
        if not create or not get_user_model().objects.filter(pk=user_id).exists():
            raise NotFound("This user is not a member of the network.")
        membership = Membership(user_id=user_id, network=network, status=Status.LEFT)
    if membership.user_id == actor.pk:
        raise NotAllowed("self_action", "You cannot do this to yourself.")
    if not checks.may_act_on(actor, network, membership):
        raise NotAllowed("rank", "You cannot act on a member of equal or higher rank.")
    return membership


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
    _save_membership(membership, actor, status=Status.ACTIVE, joined_at=timezone.now())
    audit(network, actor, "member.approve", target_user_id=user_id)
    _notify_membership(membership)
    return membership


@transaction.atomic
def do_reject_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators decline a pending join request."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.PENDING)
    _save_membership(membership, actor, status=Status.LEFT)
    audit(network, actor, "member.reject", target_user_id=user_id, reason=reason)
    _notify_membership(membership)
    return membership


@transaction.atomic
def do_ban_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators ban a user: access ends at once and rejoining is refused."""
    membership = _target(actor, network, user_id, create=True)
    if membership.status == Status.BANNED:
        raise StateConflict("already_banned", "This user is already banned.")
    _ensure_owner_remains(network, membership)
    _save_membership(membership, actor, status=Status.BANNED, role=Role.MEMBER, ban_reason=reason)
    audit(network, actor, "member.ban", target_user_id=user_id, reason=reason)
    _notify_membership(membership, revoked=True)
    return membership


@transaction.atomic
def do_unban_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators lift a ban; the user may then join again by the network's policy."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.BANNED)
    _save_membership(membership, actor, status=Status.LEFT, ban_reason="")
    audit(network, actor, "member.unban", target_user_id=user_id, reason=reason)
    _notify_membership(membership)
    return membership


@transaction.atomic
def do_mute_member(
    actor: User, network: Network, user_id: int, minutes: int, reason: str = ""
) -> Membership:
    """Moderators mute an active member: they read but cannot post or chat until it ends."""
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not 1 <= minutes <= MAX_MUTE_MINUTES
    ):
        raise InvalidInput(
            "invalid",
            f"minutes must be a whole number from 1 to {MAX_MUTE_MINUTES}.",
            {"minutes": ["Out of range."]},
        )
    membership = _target(actor, network, user_id)
    _require(membership, Status.ACTIVE)
    until = timezone.now() + dt.timedelta(minutes=minutes)
    _save_membership(membership, actor, muted_until=until)
    audit(network, actor, "member.mute", target_user_id=user_id, reason=reason, minutes=minutes)
    _notify_membership(membership)
    return membership


@transaction.atomic
def do_unmute_member(actor: User, network: Network, user_id: int) -> Membership:
    """Moderators end a mute early."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.ACTIVE)
    if not membership.is_muted():
        raise StateConflict("not_muted", "This member is not muted.")
    _save_membership(membership, actor, muted_until=None)
    audit(network, actor, "member.unmute", target_user_id=user_id)
    _notify_membership(membership)
    return membership


@transaction.atomic
def do_remove_member(actor: User, network: Network, user_id: int, reason: str = "") -> Membership:
    """Moderators remove a member (or withdraw an invitation); they may join again later."""
    membership = _target(actor, network, user_id)
    _require(membership, Status.ACTIVE, Status.INVITED, Status.PENDING)
    _ensure_owner_remains(network, membership)
    _save_membership(membership, actor, status=Status.LEFT, role=Role.MEMBER, muted_until=None)
    audit(network, actor, "member.remove", target_user_id=user_id, reason=reason)
    _notify_membership(membership, revoked=True)
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
    _save_membership(membership, actor, role=role)
    audit(network, actor, "member.set_role", target_user_id=user_id, previous=previous, role=role)
    _notify_membership(membership)
    return membership


# --- invitations ----------------------------------------------------------------------


def _invitee(email: str) -> User | None:
    return get_user_model().objects.filter(email__iexact=email).first() if email else None


@transaction.atomic
def do_create_invitation(
    actor: User,
    network: Network,
    *,
    email: str = "",
    max_uses: int | None = None,
    expires_in_hours: int | None = None,
) -> Invitation:
    """Moderators invite by link, optionally bound to one email address, with limited uses
    and an expiry. An invitee who already has an account sees the network at once (status
    `invited`), hidden ones included; members and banned users cannot be invited.
    """
    checks.check_can_moderate(actor, network)
    invitee = _invitee(email)
    membership = _locked_membership(network, invitee.pk) if invitee is not None else None
    if membership is not None and membership.status == Status.ACTIVE:
        raise StateConflict(
            "already_member", "This person is already a member.", {"email": ["Already a member."]}
        )
    if membership is not None and membership.status == Status.BANNED:
        raise StateConflict(
            "invitee_banned",
            "This person is banned from the network; lift the ban first.",
            {"email": ["Banned."]},
        )
    invitation = Invitation.objects.create(
        network=network,
        email=email,
        max_uses=max_uses,
        expires_at=timezone.now() + dt.timedelta(hours=expires_in_hours)
        if expires_in_hours
        else None,
        created_by=actor,
    )
    if invitee is not None:
        if membership is None:
            membership = Membership(user=invitee, network=network, status=Status.LEFT)
        if membership.status == Status.LEFT:
            _save_membership(membership, actor, status=Status.INVITED, role=Role.MEMBER)
            _notify_membership(membership)
    audit(
        network,
        actor,
        "invitation.create",
        target_user_id=invitee.pk if invitee is not None else None,
        target=invitation,
        email=email,
        max_uses=max_uses,
        expires_in_hours=expires_in_hours,
    )
    return invitation


@transaction.atomic
def do_revoke_invitation(actor: User, network: Network, invitation_id: int) -> Invitation:
    """Moderators revoke an invitation; its link stops working at once, and an invitee who
    has not accepted yet (status `invited`) loses sight of the network unless another live
    invitation for the same address remains.
    """
    checks.check_can_moderate(actor, network)
    invitation = (
        Invitation.objects.select_for_update().filter(network=network, pk=invitation_id).first()
    )
    if invitation is None:
        raise NotFound()
    if invitation.revoked_at is not None:
        raise StateConflict("already_revoked", "This invitation is already revoked.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    invitee = _invitee(invitation.email)
    if invitee is not None:
        others = Invitation.objects.filter(
            network=network, email__iexact=invitation.email, revoked_at__isnull=True
        ).exclude(pk=invitation.pk)
        membership = _locked_membership(network, invitee.pk)
        if (
            membership is not None
            and membership.status == Status.INVITED
            and not any(other.usable() for other in others)
        ):
            _save_membership(membership, actor, status=Status.LEFT)
            _notify_membership(membership, revoked=True)
    audit(
        network,
        actor,
        "invitation.revoke",
        target_user_id=invitee.pk if invitee is not None else None,
        target=invitation,
    )
    return invitation
