"""Applications in the "your data" archive, and in an account's erasure
(core.personal_data): the calls one posted stay (the network's, managed by its
moderators), one's applications go."""

from __future__ import annotations

from typing import Any

from calls.models import Application
from core import personal_data


@personal_data.section("calls")
def export_applications(user: Any) -> dict[str, Any]:
    rows = Application.objects.filter(applicant=user).select_related("call__network").order_by("id")
    return {
        "applications": [
            {
                "call": a.call_id,
                "network": a.call.network.slug,
                "title": a.call.title,
                "status": a.status,
                "message": a.message,
                "available_from": a.available_from.isoformat() if a.available_from else None,
                "available_to": a.available_to.isoformat() if a.available_to else None,
                "outcome": a.outcome or None,
                "outcome_days": a.outcome_days,
                "applied_at": personal_data.iso(a.created_at),
            }
            for a in rows
        ]
    }


@personal_data.eraser("calls", order=30)
def erase_applications(user: Any, erase_content: bool) -> None:
    """The applications go; the calls keep their counts of what happened (applications,
    people accepted), so a network's record stays true."""
    Application.objects.filter(applicant=user).delete()
