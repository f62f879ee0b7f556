"""The organiser's pages: the create and edit form (times typed in the meeting's own time
zone, picked from the IANA list, the browser's by default), cancelling, and the list of
who answered with check-in at the door (a phone's width, one tap a person)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.actions import time_zones
from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError
from core.web import apply_action_error, fail, not_found_on, signed_in
from meetings import actions, queries
from meetings.models import Meeting
from meetings.validation import FIELDS

LOCAL = "%Y-%m-%dT%H:%M"


class MeetingForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea({"rows": 6, "dir": "auto"}),
        help_text=gettext_lazy("Markdown, as in the forums."),
    )
    starts_at = forms.CharField(
        label=gettext_lazy("Starts"), widget=forms.DateTimeInput({"type": "datetime-local"})
    )
    ends_at = forms.CharField(
        label=gettext_lazy("Ends"), widget=forms.DateTimeInput({"type": "datetime-local"})
    )
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("The times above are in it; each reader sees them in theirs."),
        widget=forms.Select(attrs={"data-browser-timezone": ""}),
    )
    format = forms.ChoiceField(label=gettext_lazy("How"), choices=Meeting.Format.choices)
    venue = forms.CharField(label=gettext_lazy("Venue"), required=False, max_length=200)
    city = forms.CharField(label=gettext_lazy("City"), required=False, max_length=120)
    country = forms.CharField(
        label=gettext_lazy("Country (ISO code)"), required=False, max_length=2
    )
    online_url = forms.CharField(
        label=gettext_lazy("Video link"),
        required=False,
        max_length=500,
        widget=forms.URLInput({"dir": "ltr", "placeholder": "https://"}),
        help_text=gettext_lazy("Shown only to you and the people going."),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Seats"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Empty: no limit. Past it, people join the waitlist."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(z, z) for z in sorted(time_zones())]

    def to_data(self) -> dict[str, Any]:
        """What the action takes: the typed times are read in the chosen zone by it."""
        data = {name: self.cleaned_data.get(name) for name in FIELDS}
        data["capacity"] = self.cleaned_data.get("capacity")
        return data


def _initial(meeting: Meeting) -> dict[str, Any]:
    zone = meeting.zone
    initial = {name: getattr(meeting, name) for name in FIELDS}
    initial["starts_at"] = meeting.starts_at.astimezone(zone).strftime(LOCAL)
    initial["ends_at"] = meeting.ends_at.astimezone(zone).strftime(LOCAL)
    return initial


def _form_page(
    request: HttpRequest, form: MeetingForm, context: dict[str, Any], status: int
) -> HttpResponse:
    return render(request, "meetings/form.html", {**context, "form": form}, status=status)


@signed_in
def new_meeting(request: HttpRequest, slug: str) -> HttpResponse:
    network = content_network(request, slug)
    context = network_context(request, network, "meetings")
    actions.check_can_organize(request.user, network)  # refused: the 403 page says why
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.do_create_meeting(me(request), network, form.to_data())
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, _("The meeting is announced to the network."))
            return redirect("web:meeting", meeting_id=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, {**context, "editing": None}, status)


@signed_in
def edit_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _organized(request, meeting_id)
    context = network_context(request, meeting.network, "meetings")
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, initial=_initial(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_meeting(me(request), meeting, form.to_data())
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(
                request,
                _("The meeting is saved; the people going are told of a new time, place or link."),
            )
            return redirect("web:meeting", meeting_id=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, {**context, "editing": meeting}, status)


def _organized(request: HttpRequest, meeting_id: int) -> Meeting:
    """The meeting, if the user organises its network's meetings (404 if they may not
    read it, 403 page otherwise)."""
    try:
        meeting = queries.readable_meeting(request.user, meeting_id)
        actions.check_can_organize(request.user, meeting.network)
    except ActionError as exc:
        not_found_on(exc)
        raise
    return meeting


@require_POST
@signed_in
def cancel_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = queries.readable_meeting(request.user, meeting_id)
        actions.do_cancel_meeting(me(request), meeting, request.POST.get("reason", ""))
    except ActionError as exc:
        return fail(request, exc, f"/meetings/{meeting_id}/")
    messages.success(request, _("The meeting is cancelled; those coming are told."))
    return redirect("web:meeting", meeting_id=meeting.pk)


@signed_in
def attendees(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _organized(request, meeting_id)
    return render(
        request,
        "meetings/attendees.html",
        {
            **network_context(request, meeting.network, "meetings"),
            "meeting": meeting,
            "attendees": queries.attendees(meeting),
        },
    )


@require_POST
@signed_in
def check_in(request: HttpRequest, meeting_id: int) -> HttpResponse:
    back = f"/meetings/{meeting_id}/attendees/"
    try:
        meeting = queries.readable_meeting(request.user, meeting_id)
        raw = request.POST.get("user_id", "")
        user_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else raw
        actions.do_check_in(me(request), meeting, user_id)
    except ActionError as exc:
        return fail(request, exc, back)
    messages.success(request, _("Checked in."))
    return redirect(back)
