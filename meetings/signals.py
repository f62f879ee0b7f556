"""A member who leaves, is removed or is banned loses their RSVPs to the network's
meetings still to come (community.signals.membership_ended, in the change's transaction)."""

from __future__ import annotations

from typing import Any

from community.models import Membership
from community.signals import membership_ended


def _ended(sender: Any, membership: Membership, **kwargs: Any) -> None:
    from meetings.actions import drop_rsvps

    drop_rsvps(membership.user_id, membership.network_id)


def connect() -> None:
    membership_ended.connect(_ended, sender=Membership, dispatch_uid="meetings.membership_ended")
