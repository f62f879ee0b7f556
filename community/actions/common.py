"""What every community action shares: the audit trail and membership-row plumbing.

`audit` records a moderation or administration event (forum, chat and directory
actions use it too); `locked_membership` and `save_membership` lock and write (syncing
grants) a membership row for the membership and invitation actions, which broadcast
the change with `community.events.membership_changed`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from community.models import AuditEntry, Membership, Network
from community.signals import membership_ended
from permissions import checks
from permissions.actions import do_sync_grants


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


def holds_active_membership(user: User, network: Network) -> bool:
    """Is the user an active member, their membership row read under a lock? Taken by a
    feature's write before its own rows' locks (the order the membership actions take
    them), so a departure committing meanwhile either waits for that write or is seen."""
    return (
        Membership.objects.select_for_update()
        .filter(user=user, network=network, status=Membership.Status.ACTIVE)
        .exists()
    )


def save_membership(membership: Membership, actor: User | None, **changes: Any) -> Membership:
    was_active = membership.pk is not None and membership.is_active
    for field, value in changes.items():
        setattr(membership, field, value)
    membership.acted_by = actor
    membership.acted_at = timezone.now()
    membership.save()
    do_sync_grants(membership)
    # The caller's network object carries memoized membership and grants; drop them.
    checks.forget(membership.network)
    if was_active and not membership.is_active:
        membership_ended.send(sender=Membership, membership=membership)
    return membership


def locked_membership(network: Network, user_id: int) -> Membership | None:
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
