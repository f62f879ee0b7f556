"""A network's calls on the web: the list (open ones first, filtered by kind, sector or
status), a call's page with the apply form and one's own application, withdrawing, and
"my applications". Applying works without JavaScript; what the action refuses (a
message the call asks for, a second application, a closed call) shows next to the form.
The poster's pages are `calls.manage_web`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calls import actions, queries
from calls.models import Application, Call
from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError, InvalidInput
from core.web import error_message, not_found_on, safe_next, signed_in, web_page
from directory import display_names
from directory.vocabulary import Engagement, Sector

# The pages' own sentences for the calls' action error codes, in the reader's language.
CALL_ERRORS: dict[str, Any] = {
    "already_applied": gettext_lazy("You already applied to this call."),
    "call_closed": gettext_lazy("This call no longer takes applications."),
    "own_call": gettext_lazy("You posted this call; you cannot apply to it."),
    "not_member": gettext_lazy("Only members of the network may apply."),
    "not_poster": gettext_lazy("Only the network's moderators and call publishers may post calls."),
    "call_filled": gettext_lazy("Every position of this call is taken."),
    "invalid_transition": gettext_lazy("This cannot be done in its current state."),
    "other_call": gettext_lazy("This application is to another call."),
}
STATUS_FILTERS = (
    ("", gettext_lazy("Open")),
    (Call.Status.CLOSED, gettext_lazy("Closed")),
    (Call.Status.FILLED, gettext_lazy("Filled")),
    (Call.Status.CANCELLED, gettext_lazy("Cancelled")),
)
PENDING = (Application.Status.SUBMITTED, Application.Status.SHORTLISTED)


def call_error(exc: ActionError) -> str:
    """The sentence for a calls action's error, in the active language."""
    known = CALL_ERRORS.get(exc.code)
    return str(known) if known is not None else error_message(exc)


def field_text(text: Any) -> str:
    """An action's field message: already in the reader's language (the validation
    translates its own sentences)."""
    return str(text)


def show_error(form: forms.Form, exc: ActionError) -> None:
    """Bad input next to the fields it names; any other refusal above the form."""
    placed = False
    if isinstance(exc, InvalidInput):
        for name, texts in (exc.fields or {}).items():
            if name in form.fields:
                for text in texts if isinstance(texts, list) else [texts]:
                    form.add_error(name, field_text(text))
                placed = True
    if not placed:
        form.add_error(None, call_error(exc))


def sector_labels(codes: list[str]) -> list[str]:
    return [str(Sector(c).label) if c in Sector.values else c for c in codes]


def reason_label(field: str, value: Any) -> str:
    """A match's reason as the poster reads it: "Sector: Health", "Country: Germany"."""
    if field == "sectors":
        return _("Sector: %(v)s") % {"v": sector_labels([value])[0]}
    if field == "skills":
        return _("Skill: %(v)s") % {"v": value}
    if field == "languages":
        return _("Speaks %(v)s") % {"v": display_names.language_name(value)}
    if field == "country":
        return _("Lives in %(v)s") % {"v": display_names.country_name(value)}
    if field == "engagement":
        label = Engagement(value).label if value in Engagement.values else value
        return _("Wants: %(v)s") % {"v": label}
    if field == "years_experience":
        return _("%(v)s years of experience") % {"v": value}
    return f"{field}: {value}"


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=STATUS_FILTERS)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *Call.Kind.choices],
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("All sectors")), *Sector.choices],
    )

    def __init__(self, *args: Any, may_post: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if may_post:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*STATUS_FILTERS, (Call.Status.DRAFT, Call.Status.DRAFT.label)]


class ApplyForm(forms.Form):
    # No limits here: the action's (one place for the API and the page) say what is wrong.
    message = forms.CharField(
        label=gettext_lazy("Why you"),
        required=False,
        widget=forms.Textarea({"rows": 5, "dir": "auto"}),
        help_text=gettext_lazy("What you would bring, and what you have done that fits."),
    )
    available_from = forms.CharField(
        label=gettext_lazy("Available from"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
    )
    available_to = forms.CharField(
        label=gettext_lazy("Available until"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if call.message_required:
            self.fields["message"].help_text = gettext_lazy(
                "This call asks for a message: what you would bring, and what you have "
                "done that fits."
            )
            self.fields["message"].widget.attrs["aria-required"] = "true"

    def to_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


def list_rows(calls: list[Call], mine: dict[int, Application]) -> list[dict[str, Any]]:
    return [{"call": c, "mine": mine.get(c.pk), "sectors": sector_labels(c.sectors)} for c in calls]


@signed_in
def network_calls(request: HttpRequest, slug: str) -> HttpResponse:
    network = content_network(request, slug)
    may_post = actions.may_post(request.user, network)
    form = FilterForm(request.GET or None, may_post=may_post)
    params = form.cleaned_data if form.is_valid() else {}
    rows, order = queries.network_calls(request.user, network, params)
    calls, next_cursor = web_page(rows, request, order, limit=20)
    calls = queries.of_network(calls, network)
    mine = queries.applications_of(request.user, calls)
    return render(
        request,
        "calls/list.html",
        {
            **network_context(request, network, "calls"),
            "form": form,
            "status": params.get("status", ""),
            "calls": list_rows(calls, mine),
            "next_cursor": next_cursor,
            "may_post": may_post,
        },
    )


def _call_page(
    request: HttpRequest, call: Call, form: ApplyForm | None = None, status: int = 200
) -> HttpResponse:
    mine = queries.applications_of(request.user, [call]).get(call.pk)
    context = network_context(request, call.network, "calls")
    may_apply = (
        mine is None
        and call.accepts_applications()
        and context["may_participate"]
        and call.poster_id != request.user.pk
    )
    return render(
        request,
        "calls/call.html",
        {
            **context,
            "call": call,
            "c": queries.call_json(call, request.user, mine),
            "sectors": sector_labels(call.sectors),
            "mine": mine,
            "may_withdraw": mine is not None and mine.status in PENDING,
            "may_apply": may_apply,
            "form": form or (ApplyForm(call=call) if may_apply else None),
            "may_manage": actions.may_manage(request.user, call),
        },
        status=status,
    )


def readable(request: HttpRequest, call_id: int) -> Call:
    try:
        return queries.readable_call(request.user, call_id)
    except ActionError as exc:
        not_found_on(exc)
        raise


@signed_in
def call_page(request: HttpRequest, call_id: int) -> HttpResponse:
    return _call_page(request, readable(request, call_id))


@require_POST
@signed_in
def apply(request: HttpRequest, call_id: int) -> HttpResponse:
    call = readable(request, call_id)
    form = ApplyForm(request.POST, call=call)
    if form.is_valid():
        try:
            actions.do_apply(me(request), call, form.to_data())
        except ActionError as exc:
            not_found_on(exc)
            show_error(form, exc)
        else:
            messages.success(request, _("Your application is sent: the poster is told."))
            return redirect("web:call", call_id=call.pk)
    call.refresh_from_db(fields=["status", "applications_count", "accepted_count"])
    return _call_page(request, call, form, status=400)


@require_POST
@signed_in
def withdraw(request: HttpRequest, call_id: int) -> HttpResponse:
    back = safe_next(request, f"/calls/{call_id}/")
    try:
        call = queries.readable_call(request.user, call_id)
        application = Application.objects.filter(call=call, applicant=me(request)).first()
        if application is None:
            return redirect(back)
        application.call = call
        actions.do_withdraw(me(request), application)
    except ActionError as exc:
        not_found_on(exc)
        messages.error(request, call_error(exc))
        return redirect(back)
    messages.success(request, _("Your application is withdrawn."))
    return redirect(back)


@signed_in
def my_applications(request: HttpRequest) -> HttpResponse:
    rows = queries.my_applications(me(request))
    found, next_cursor = web_page(rows, request, ("-created_at", "-id"), limit=30)
    return render(
        request,
        "calls/my_applications.html",
        {
            "applications": [(a, a.status in PENDING) for a in found],
            "next_cursor": next_cursor,
        },
    )
