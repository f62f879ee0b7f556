"""Community's real-time events, sent after commit (core.events).

Group `user.<id>` (every socket of that user, on every process):

| type | fields |
|---|---|
| `community.membership` | `network`, `user`, `role`, `status`, `muted_until` |
| `access.revoked` | `network` |

`community.membership`: the user's own membership changed (joined, approved, role,
mute, ban, …). `access.revoked`: banned, removed or left; the sockets drop the
network's rooms and topics at once.

Group `network.<id>` (the hub of each process with a reader of the network):
`community.network` with `network`, `visibility`: the visibility changed or the
network was (un)archived; the hubs re-read who may read it.

A layer event's handler is its type with "_" for "." (`community_membership`,
`access_revoked`). A membership change goes to the member only: a mute is the member's
own business and the moderators'.
"""

from __future__ import annotations

from community.models import Membership, Network
from core.events import network_group, send_event_on_commit, user_group

MEMBERSHIP = "community.membership"
ACCESS_REVOKED = "access.revoked"
NETWORK_CHANGED = "community.network"


def membership_changed(membership: Membership, *, revoked: bool = False) -> None:
    """`community.membership` to the member's sockets; then, if the change ended their access
    (ban, removal, leaving), `access.revoked`."""
    send_event_on_commit(
        user_group(membership.user_id),
        {
            "type": MEMBERSHIP,
            "network": membership.network_id,
            "user": membership.user_id,
            "role": membership.role,
            "status": membership.status,
            "muted_until": membership.muted_until.isoformat() if membership.muted_until else None,
        },
    )
    if revoked:
        # Every socket of this user, on every worker, drops the network's subscriptions.
        send_event_on_commit(
            user_group(membership.user_id),
            {"type": ACCESS_REVOKED, "network": membership.network_id},
        )


def network_changed(network: Network) -> None:
    """`community.network`: who may read the network may have changed."""
    send_event_on_commit(
        network_group(network.id),
        {"type": NETWORK_CHANGED, "network": network.id, "visibility": network.visibility},
    )
