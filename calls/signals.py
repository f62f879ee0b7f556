"""A member who leaves, is removed or is banned withdraws their pending applications to
the network's calls (community.signals.membership_ended, in the change's transaction)."""

from __future__ import annotations

from typing import Any

from community.models import Membership
from community.signals import membership_ended


def _ended(sender: Any, membership: Membership, **kwargs: Any) -> None:
    from calls.actions import withdraw_pending

    withdraw_pending(membership.user_id, membership.network_id)


def connect() -> None:
    membership_ended.connect(_ended, sender=Membership, dispatch_uid="calls.membership_ended")
