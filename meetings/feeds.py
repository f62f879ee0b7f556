"""iCalendar (RFC 5545) for one meeting and for a network's feed, written by the
`icalendar` library, and the personal tokens that let a calendar application read a
private or hidden network's feed.

A token is `<user id>-<HMAC of the user and their key's version>`: nothing to store but
the version, and revoking is one more version. A feed holds only what the token's owner
may read at the time of the request (a member banned since gets the same 404 as a wrong
token), and a meeting's video link only if they are going or organise it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from community.models import Network
from core.errors import ActionError, NotFound
from meetings.models import CalendarKey, Meeting, Rsvp
from meetings.queries import may_see_link, network_meetings, of_network
from permissions import checks

PRODID = "-//Shabaka//Meetings//EN"
# A network's feed: the last month's meetings and the next year's, at most this many.
FEED_PAST = dt.timedelta(days=30)
FEED_AHEAD = dt.timedelta(days=365)
FEED_MAX = 500


def _mac(user_id: int, version: int) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"shabaka.calendar:{user_id}:{version}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def token_for(user: Any) -> str:
    key, _ = CalendarKey.objects.get_or_create(user=user)
    return f"{user.pk}-{_mac(user.pk, key.version)}"


def revoke(user: Any) -> str:
    """A new token; the old one stops working at once. Returns the new one."""
    key, created = CalendarKey.objects.get_or_create(user=user)
    if not created:
        key.version += 1
        key.save(update_fields=["version"])
    return f"{user.pk}-{_mac(user.pk, key.version)}"


def owner_of(token: Any) -> Any | None:
    """The active user a token belongs to, or None (wrong, revoked, malformed)."""
    if not isinstance(token, str) or len(token) > 80 or "-" not in token:
        return None
    raw_id, _, mac = token.partition("-")
    if not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 18:
        return None
    key = CalendarKey.objects.filter(user_id=int(raw_id), user__is_active=True).first()
    if key is None or not hmac.compare_digest(mac, _mac(key.user_id, key.version)):
        return None
    return get_user_model().objects.filter(pk=key.user_id).first()


def feed_network(viewer: Any | None, slug: Any) -> Network:
    """The network whose feed is asked for: one the token's owner may read now, or, with
    no token, a public one. Anything else is the same 404 as a network that is not there."""
    if viewer is not None:
        try:
            return checks.access_network_content(viewer, slug)
        except ActionError:
            raise NotFound() from None
    network = Network.objects.filter(
        slug=str(slug)[:100], archived=False, visibility=Network.Visibility.PUBLIC
    ).first()
    if network is None:
        raise NotFound()
    return network


def feed_meetings(network: Network) -> list[Meeting]:
    now = timezone.now()
    rows = network_meetings(network, now - FEED_PAST, now + FEED_AHEAD).order_by("starts_at", "id")
    return of_network(list(rows[:FEED_MAX]), network)


def page_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("web:meeting", args=[meeting.pk])


def _event(meeting: Meeting, link: bool) -> Event:
    zone = meeting.zone
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname or 'shabaka'}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    place = ", ".join(p for p in (meeting.venue, meeting.city, meeting.country) if p)
    if link and meeting.online_url:
        place = ", ".join(p for p in (place, meeting.online_url) if p)
    if place:
        event.add("location", place)
    description = meeting.description
    if link and meeting.online_url:
        description = f"{description}\n\n{meeting.online_url}".strip()
    if description:
        event.add("description", description)
    event.add("url", page_url(meeting))
    return event


def calendar(meetings: list[Meeting], viewer: Any, rsvps: dict[int, Rsvp], name: str) -> bytes:
    """One VCALENDAR of `meetings` as `viewer` may see them (None: anyone)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        link = viewer is not None and may_see_link(viewer, meeting, rsvps.get(meeting.pk))
        cal.add_component(_event(meeting, link))
    cal.add_missing_timezones()
    return cal.to_ical()
