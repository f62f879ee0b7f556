"""Reading meetings: who may see one, its JSON as a given reader sees it (the video link
only to organisers and people going), and a network's list in time order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from community.models import Network
from core.errors import InvalidInput, NotFound
from core.validation import is_int
from directory.queries import person
from meetings.models import Meeting, Rsvp
from meetings.validation import MAX_DURATION, parse_moment
from permissions import checks
from permissions.roles import Perm


def readable_meeting(user: Any, meeting_id: Any) -> Meeting:
    """The meeting, if its network is readable by `user`; otherwise the same 404 as none
    (a member banned from a public network is told so, as on the network's pages)."""
    if not is_int(meeting_id) or not 0 < int(meeting_id) < 2**63:
        raise NotFound()
    meeting = (
        Meeting.objects.select_related("network", "organizer__profile")
        .filter(pk=meeting_id, network__archived=False)
        .first()
    )
    if meeting is None:
        raise NotFound()
    checks.check_can_read(user, meeting.network)  # 404, or 403 to a public network's banned
    return meeting


def window(params: Any) -> tuple[dt.datetime, dt.datetime | None]:
    """`?from=` (ISO 8601; now without it: what is to come) and `?to=` (no end without it)."""
    bounds: list[dt.datetime | None] = []
    for name in ("from", "to"):
        raw = params.get(name)
        if raw in (None, ""):
            bounds.append(None)
            continue
        moment = parse_moment(raw)
        if moment is None:
            raise InvalidInput("invalid", f"`{name}` is an ISO 8601 time.", {name: ["Invalid."]})
        bounds.append(moment)
    start, end = bounds
    return start or timezone.now(), end


def network_meetings(
    network: Network, start: dt.datetime | None, end: dt.datetime | None
) -> QuerySet[Meeting]:
    """The network's meetings that end after `start` and begin before `end`."""
    rows = Meeting.objects.filter(network=network).select_related("organizer__profile")
    if start is not None:
        # A meeting lasts 14 days at most: the bound on starts_at keeps the index range
        # to the window (ends_at alone would read every past meeting of the network).
        rows = rows.filter(ends_at__gt=start, starts_at__gt=start - MAX_DURATION)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    return rows


def of_network(rows: list[Meeting], network: Network) -> list[Meeting]:
    """The rows bound to the caller's network object: its memo of the reader's permissions
    is then read once for the page, not once per meeting."""
    for meeting in rows:
        meeting.network = network
    return rows


def rsvps_of(user: Any, meetings: list[Meeting]) -> dict[int, Rsvp]:
    """The reader's answers to these meetings, in one query."""
    if not getattr(user, "is_authenticated", False) or not meetings:
        return {}
    rows = Rsvp.objects.filter(user=user, meeting__in=meetings)
    return {rsvp.meeting_id: rsvp for rsvp in rows}


def may_see_link(user: Any, meeting: Meeting, rsvp: Rsvp | None) -> bool:
    """Organisers, and people going who are members still (an answer to a past meeting
    outlives a departure)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if rsvp is not None and rsvp.status == Rsvp.Status.GOING:
        return checks.may(user, meeting.network, Perm.PARTICIPATE)
    return checks.may(user, meeting.network, Perm.MANAGE_MEETINGS)


def waitlist_place(rsvp: Rsvp) -> int | None:
    """1 for the first on the waitlist (positions have gaps once people leave it)."""
    if rsvp.status != Rsvp.Status.WAITLISTED or rsvp.position is None:
        return None
    return (
        Rsvp.objects.filter(
            meeting_id=rsvp.meeting_id, status=Rsvp.Status.WAITLISTED, position__lt=rsvp.position
        ).count()
        + 1
    )


def meeting_json(
    meeting: Meeting, user: Any, rsvp: Rsvp | None, *, place: bool = False
) -> dict[str, Any]:
    """The meeting as `user` sees it; `place`: with their rank on the waitlist (a query)."""
    mine = None
    if rsvp is not None:
        mine = {
            "status": rsvp.status,
            "waitlist_position": waitlist_place(rsvp) if place else None,
            "checked_in": rsvp.checked_in_at is not None,
        }
    return {
        "id": meeting.pk,
        "network": meeting.network.slug,
        "title": meeting.title,
        "description": meeting.description,
        "description_html": meeting.description_html,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "timezone": meeting.timezone,
        "format": meeting.format,
        "venue": meeting.venue,
        "city": meeting.city,
        "country": meeting.country,
        "online_url": meeting.online_url if may_see_link(user, meeting, rsvp) else None,
        "capacity": meeting.capacity,
        "status": meeting.status,
        "sequence": meeting.sequence,
        "going_count": meeting.going_count,
        "waitlist_count": meeting.waitlist_count,
        "my_rsvp": mine,
        "organizer": person(meeting.organizer),
        "created_at": meeting.created_at,
        "updated_at": meeting.updated_at,
    }


def attendees(meeting: Meeting) -> list[dict[str, Any]]:
    """Who answered, going first then the waitlist in order, then maybe and not going."""
    rank: dict[str, int] = {"going": 0, "waitlisted": 1, "maybe": 2}
    rows = Rsvp.objects.filter(meeting=meeting).select_related("user__profile")
    ordered = sorted(rows, key=lambda r: (rank.get(r.status, 3), r.position or 0, r.pk))
    return [
        {
            "user": person(r.user),
            "rsvp": r.status,
            "checked_in": r.checked_in_at is not None,
            "checked_in_at": r.checked_in_at,
        }
        for r in ordered
    ]
