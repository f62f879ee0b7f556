"""A network's meetings on the web: the list (to come, or past), a meeting's page with the
answer buttons, the seats, the waitlist place, the link when you may see it and "add to
calendar"; answering without JavaScript."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError
from core.web import fail, not_found_on, signed_in, web_page
from core.zones import zone_of
from meetings import actions, queries
from meetings.models import Meeting, Rsvp
from notifications import queries as notification_queries

ANSWERED = {
    Rsvp.Status.GOING: _("You are going."),
    Rsvp.Status.WAITLISTED: _("The meeting is full: you are on the waitlist."),
    Rsvp.Status.MAYBE: _("Noted: maybe."),
    Rsvp.Status.NOT_GOING: _("Noted: you are not going."),
}


@signed_in
def network_meetings(request: HttpRequest, slug: str) -> HttpResponse:
    network = content_network(request, slug)
    past = request.GET.get("past") == "1"
    now = timezone.now()
    if past:
        rows = Meeting.objects.filter(network=network, ends_at__lte=now)
        ordering: tuple[str, ...] = ("-starts_at", "-id")
    else:
        rows = queries.network_meetings(network, now, None)
        ordering = ("starts_at", "id")
    meetings, next_cursor = web_page(rows, request, ordering, limit=20)
    meetings = queries.of_network(meetings, network)
    mine = queries.rsvps_of(request.user, meetings)
    return render(
        request,
        "meetings/list.html",
        {
            **network_context(request, network, "meetings"),
            "meetings": [(m, mine.get(m.pk)) for m in meetings],
            "past": past,
            "next_cursor": next_cursor,
            "may_organize": actions.may_organize(request.user, network),
        },
    )


@signed_in
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = queries.readable_meeting(request.user, meeting_id)
    except ActionError as exc:
        not_found_on(exc)
        raise
    rsvp = queries.rsvps_of(request.user, [meeting]).get(meeting.pk)
    data = queries.meeting_json(meeting, request.user, rsvp, place=True)
    return render(
        request,
        "meetings/meeting.html",
        {
            **network_context(request, meeting.network, "meetings"),
            "meeting": meeting,
            "m": data,
            "rsvp": rsvp,
            "may_answer": not meeting.is_cancelled and not meeting.has_started(),
            "may_organize": actions.may_organize(request.user, meeting.network),
        },
    )


@require_POST
@signed_in
def answer(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = queries.readable_meeting(request.user, meeting_id)
        rsvp = actions.do_rsvp(me(request), meeting, request.POST.get("status"))
    except ActionError as exc:
        return fail(request, exc, f"/meetings/{meeting_id}/")
    messages.success(request, str(ANSWERED[Rsvp.Status(rsvp.status)]))
    return redirect("web:meeting", meeting_id=meeting.pk)


def _month(raw: str | None, today: dt.date) -> dt.date:
    """`?month=YYYY-MM` (this month when absent or not a month between 1900 and 2999)."""
    digits = raw.replace("-", "", 1) if raw else ""
    if raw and len(raw) == 7 and raw[4] == "-" and digits.isascii() and digits.isdigit():
        year, month = int(raw[:4]), int(raw[5:])
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return today.replace(day=1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@signed_in
def calendar_month(request: HttpRequest, slug: str) -> HttpResponse:
    """A month of the network's meetings as a grid of weeks, in the reader's time zone,
    weeks starting on the day the page's language starts them."""
    network = content_network(request, slug)
    zone = zone_of(notification_queries.time_zone(me(request)))
    today = timezone.now().astimezone(zone).date()
    first = _month(request.GET.get("month"), today)
    week_start = int(get_format("FIRST_DAY_OF_WEEK"))  # 0 Sunday … 6 Saturday
    lead = (first.isoweekday() % 7 - week_start) % 7
    grid_start = first - dt.timedelta(days=lead)
    days = [grid_start + dt.timedelta(days=i) for i in range(42)]
    start = dt.datetime.combine(days[0], dt.time(), zone)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), zone)
    rows = Meeting.objects.filter(network=network, starts_at__gte=start, starts_at__lt=end)
    by_day: dict[dt.date, list[Meeting]] = {}
    for meeting in rows.order_by("starts_at", "id")[:500]:
        by_day.setdefault(meeting.starts_at.astimezone(zone).date(), []).append(meeting)
    weeks = [
        [
            {
                "date": d,
                "in_month": d.month == first.month,
                "today": d == today,
                "meetings": by_day.get(d, []),
            }
            for d in days[w * 7 : w * 7 + 7]
        ]
        for w in range(6)
        # Six rows hold any month; a last one wholly in the next month is left out.
        if w < 5 or days[w * 7].month == first.month
    ]
    return render(
        request,
        "meetings/calendar.html",
        {
            **network_context(request, network, "meetings"),
            "month": first,
            "weekdays": [d["date"] for d in weeks[0]],
            "weeks": weeks,
            "zone": zone,
            "previous": _shift(first, -1).strftime("%Y-%m"),
            "next": _shift(first, 1).strftime("%Y-%m"),
            "may_organize": actions.may_organize(request.user, network),
        },
    )
