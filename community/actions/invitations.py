"""Inviting by link or email address (moderators), revoking, and checking an invitation at join."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.identity import email_verified, verified_email
from community import events
from community.actions.common import audit, locked_membership, save_membership
from community.models import Invitation, Membership, Network
from core.errors import NotAllowed, NotFound, StateConflict
from permissions import checks

Role = Membership.Role
Status = Membership.Status


def resolve_invitation(network: Network, user: User, token: str) -> Invitation:
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
    if invitation.email and not email_verified(user):
        # Registering with an address proves nothing: following a link mailed there does.
        raise NotAllowed(
            "email_unverified",
            "Confirm your email address first (the link mailed to it), then accept again.",
        )
    return invitation


def _invitee(email: str) -> User | None:
    """The account an address invitation is for: only one that proved the address is
    theirs (an unverified account may hold it without owning it, and must not see a
    hidden network for it)."""
    if not email:
        return None
    return get_user_model().objects.filter(verified_email(), email__iexact=email).first()


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
    checks.check_can_manage_members(actor, network)
    invitee = _invitee(email)
    membership = locked_membership(network, invitee.pk) if invitee is not None else None
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
            save_membership(membership, actor, status=Status.INVITED, role=Role.MEMBER)
            events.membership_changed(membership)
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
    checks.check_can_manage_members(actor, network)
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
        membership = locked_membership(network, invitee.pk)
        if (
            membership is not None
            and membership.status == Status.INVITED
            and not any(other.usable() for other in others)
        ):
            save_membership(membership, actor, status=Status.LEFT)
            events.membership_changed(membership, revoked=True)
    audit(
        network,
        actor,
        "invitation.revoke",
        target_user_id=invitee.pk if invitee is not None else None,
        target=invitation,
    )
    return invitation
