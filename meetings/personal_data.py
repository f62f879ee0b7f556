"""RSVPs in the "your data" archive, and in an account's erasure (core.personal_data):
the meetings one organised stay (the network's), their answers go, seats to the waitlist."""

from __future__ import annotations

from typing import Any

from core import personal_data
from meetings.models import Rsvp


@personal_data.section("meetings")
def export_meetings(user: Any) -> dict[str, Any]:
    rows = Rsvp.objects.filter(user=user).select_related("meeting__network").order_by("id")
    return {
        "rsvps": [
            {
                "meeting": r.meeting_id,
                "network": r.meeting.network.slug,
                "title": r.meeting.title,
                "starts_at": personal_data.iso(r.meeting.starts_at),
                "status": r.status,
                "checked_in_at": personal_data.iso(r.checked_in_at),
                "answered_at": personal_data.iso(r.created_at),
            }
            for r in rows
        ]
    }


@personal_data.eraser("meetings", order=30)
def erase_meetings(user: Any, erase_content: bool) -> None:
    """After the networks were left (which dropped the answers to what is to come): the
    past ones go too, each meeting's counts kept true."""
    from meetings.actions import drop_rsvps

    drop_rsvps(user.pk, None, upcoming=False)
