"""A network's meetings on the web: the list (to come, or past), a meeting's page with the
answer buttons, the seats, the waitlist place, the link when you may see it and "add to
calendar"; answering without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError
from core.web import fail, not_found_on, signed_in, web_page
from meetings import actions, queries
from meetings.models import Meeting, Rsvp

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
    meetings, next_cursor = web_page(rows.select_related("network"), request, ordering, limit=20)
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
