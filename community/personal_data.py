"""Memberships in the "your data" archive, and in an account's erasure (core.personal_data).

A deleted account leaves every network it was in, was invited to or asked to join, as
leaving would (grants, directory, open pages follow); a network's last owner must hand
it over first, so the deletion is refused, naming the network. Bans stay on record.
"""

from __future__ import annotations

from typing import Any

from community.actions.membership import do_leave_network
from community.models import AuditEntry, Invitation, Membership
from core import personal_data
from core.errors import StateConflict

Status = Membership.Status


@personal_data.section("networks")
def export_networks(user: Any) -> dict[str, Any]:
    memberships = [
        {
            "network": m.network.slug,
            "name": m.network.name,
            "role": m.role,
            "status": m.status,
            "joined_at": personal_data.iso(m.joined_at),
            "requested_at": personal_data.iso(m.created_at),
            "join_message": m.join_message,
            "muted_until": personal_data.iso(m.muted_until),
            "ban_reason": m.ban_reason,
        }
        for m in Membership.objects.filter(user=user).select_related("network").order_by("id")
    ]
    concerning = [
        {
            "network": e.network.slug,
            "action": e.action,
            "by_you": e.actor_id == user.pk,
            "reason": e.reason,
            "at": personal_data.iso(e.at),
        }
        for e in AuditEntry.objects.filter(target_user=user)
        .select_related("network")
        .order_by("id")
    ]
    return {"memberships": memberships, "moderation_concerning_you": concerning}


@personal_data.eraser("networks.address", order=5)
def erase_address(user: Any, erase_content: bool) -> None:
    """Invitations sent to the person's address, and their audit entries, forget it (before
    the account loses it: this needs it)."""
    if not user.email:
        return
    invitations = Invitation.objects.filter(email__iexact=user.email)
    entries = AuditEntry.objects.filter(
        action="invitation.create",
        target_type="invitation",
        target_id__in=list(invitations.values_list("pk", flat=True)),
    )
    for entry in entries:
        entry.details = {k: v for k, v in (entry.details or {}).items() if k != "email"}
        entry.save(update_fields=["details"])
    invitations.update(email="")


@personal_data.eraser("networks", order=20)
def erase_networks(user: Any, erase_content: bool) -> None:
    current = Membership.objects.filter(
        user=user, status__in=[Status.ACTIVE, Status.PENDING, Status.INVITED]
    ).select_related("network")
    for membership in current.order_by("id"):
        try:
            do_leave_network(user, membership.network)
        except StateConflict as exc:
            if exc.code != "last_owner":
                raise
            raise StateConflict(
                "last_owner",
                f"You are the last owner of {membership.network.name}: make someone else an "
                "owner there before deleting your account.",
                {"network": [membership.network.slug]},
            ) from None
    Membership.objects.filter(user=user).exclude(join_message="").update(join_message="")
