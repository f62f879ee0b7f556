"""The poster's pages: the create and edit form (the directory's own vocabulary of
sectors, languages and countries), publishing and closing, and the dashboard — the
members who fit with the reasons they fit (only what each lets the poster see), the
applications with shortlist, accept and decline, the outcome of each accepted one, and
the CSV. To a member who does not manage the call, the dashboard is not there (404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calls import actions, queries
from calls.matching import best_matches
from calls.models import Application, Call
from calls.web import CALL_ERRORS, call_error, readable, reason_label, sector_labels, show_error
from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError, InvalidInput, NotAllowed
from core.web import not_found_on, signed_in
from directory import display_names
from directory.vocabulary import Region, Sector

BLANK: list[tuple[str, Any]] = [("", "—")]
LANGUAGES = ("ar", "ary", "zgh", "fr", "en", "es", "de", "nl", "it")
MATCHES_SHOWN = 20
DECIDED = {
    "shortlist": gettext_lazy("Shortlisted."),
    "accept": gettext_lazy("Accepted: the applicant is told."),
    "decline": gettext_lazy("Declined: the applicant is told."),
}
CLOSED = {
    "closed": gettext_lazy("The call is closed: it takes no more applications."),
    "filled": gettext_lazy("The call is marked filled."),
    "cancelled": gettext_lazy("The call is cancelled."),
}
CLOSE_LABELS = {
    "closed": gettext_lazy("Close to applications"),
    "filled": gettext_lazy("Mark as filled"),
    "cancelled": gettext_lazy("Cancel the call"),
}
BUTTONS = {
    "shortlist": gettext_lazy("Shortlist"),
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
}


def _number(raw: Any) -> Any:
    """A typed whole number as a number (so the action can check its range), else as typed."""
    text = (raw or "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text


class CallForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Call.Kind.choices)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        help_text=gettext_lazy("A line or two, shown in the list."),
    )
    body = forms.CharField(
        label=gettext_lazy("Terms of reference"),
        required=False,
        widget=forms.Textarea({"rows": 8}),
        help_text=gettext_lazy("Markdown, as in the forums."),
    )
    sectors = forms.MultipleChoiceField(
        label=gettext_lazy("Sectors"),
        required=False,
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.CharField(
        label=gettext_lazy("Skills"),
        required=False,
        help_text=gettext_lazy("Separated by commas: cardiology, machine learning, export…"),
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Working languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=gettext_lazy("Countries of residence sought"),
        required=False,
        widget=forms.SelectMultiple({"size": 6}),
        help_text=gettext_lazy("None: from anywhere. Ctrl or ⌘ picks several."),
    )
    remote = forms.BooleanField(label=gettext_lazy("Can be done remotely"), required=False)
    moroccan_region = forms.ChoiceField(
        label=gettext_lazy("Region in Morocco"), required=False, choices=BLANK + Region.choices
    )
    duration_days = forms.CharField(
        label=gettext_lazy("Duration (days)"),
        required=False,
        widget=forms.NumberInput({"min": 1}),
    )
    deadline = forms.CharField(
        label=gettext_lazy("Applications until"),
        widget=forms.DateInput({"type": "date"}),
        help_text=gettext_lazy("The end of that day (UTC)."),
    )
    positions = forms.CharField(
        label=gettext_lazy("Positions"), initial="1", widget=forms.NumberInput({"min": 1})
    )
    message_required = forms.BooleanField(
        label=gettext_lazy("Applicants must write a message"), required=False
    )

    def __init__(self, *args: Any, current: Call | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = list(current.languages) if current else []
        codes = list(dict.fromkeys([*LANGUAGES, *held]))
        self.choose("languages", [(c, display_names.language_name(c)) for c in codes])
        self.choose("countries", display_names.country_choices())
        for name in ("title", "summary", "body", "skills"):
            self.fields[name].widget.attrs["dir"] = "auto"

    def choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def to_data(self) -> dict[str, Any]:
        """What the action takes (its own checks say what is wrong)."""
        data = dict(self.cleaned_data)
        data["skills"] = [s.strip() for s in data["skills"].split(",") if s.strip()]
        data["duration_days"] = _number(data["duration_days"])
        data["positions"] = _number(data["positions"])
        return data


def _initial(call: Call) -> dict[str, Any]:
    initial = {
        name: getattr(call, name)
        for name in (
            "title",
            "kind",
            "summary",
            "body",
            "sectors",
            "languages",
            "countries",
            "remote",
            "moroccan_region",
            "duration_days",
            "positions",
            "message_required",
        )
    }
    initial["skills"] = ", ".join(call.skills)
    initial["deadline"] = call.deadline.date().isoformat()
    return initial


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Application.Outcome.choices)
    days = forms.CharField(
        label=gettext_lazy("Days on the mission"),
        required=False,
        widget=forms.NumberInput({"min": 0}),
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback"),
        required=False,
        widget=forms.Textarea({"rows": 2, "dir": "auto"}),
    )

    def to_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "days": _number(self.cleaned_data["days"])}


def outcome_form(application: Application, data: Any = None) -> OutcomeForm:
    initial = {
        "status": application.outcome or Application.Outcome.COMPLETED,
        "days": application.outcome_days if application.outcome_days is not None else "",
        "feedback": application.outcome_feedback,
    }
    return OutcomeForm(data, initial=initial, prefix=f"outcome-{application.pk}")


def managed(request: HttpRequest, call_id: int) -> Call:
    """The call, if the user manages it (otherwise the same 404 as none)."""
    call = readable(request, call_id)
    if not actions.may_manage(request.user, call):
        raise Http404
    return call


def back_with(request: HttpRequest, exc: ActionError, to: str) -> HttpResponseRedirect:
    not_found_on(exc)
    messages.error(request, call_error(exc))
    return redirect(to)


def _form_page(
    request: HttpRequest, form: CallForm, context: dict[str, Any], status: int
) -> HttpResponse:
    return render(request, "calls/form.html", {**context, "form": form}, status=status)


@signed_in
def new_call(request: HttpRequest, slug: str) -> HttpResponse:
    network = content_network(request, slug)
    context = network_context(request, network, "calls")
    if not actions.may_post(request.user, network):
        raise NotAllowed("not_poster", str(CALL_ERRORS["not_poster"]))  # the 403 page
    form = CallForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            call = actions.do_create_call(me(request), network, form.to_data())
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("The call is saved as a draft: publish it to open it to applications.")
            )
            return redirect("web:call-dashboard", call_id=call.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, {**context, "editing": None}, status)


@signed_in
def edit_call(request: HttpRequest, call_id: int) -> HttpResponse:
    call = managed(request, call_id)
    context = network_context(request, call.network, "calls")
    data = request.POST if request.method == "POST" else None
    form = CallForm(data, initial=_initial(call), current=call)
    if request.method == "POST" and form.is_valid():
        try:
            # Only what the form changed: an unchanged date keeps the deadline's own time
            # (a call posted over the API may close at 14:00, not at the day's end).
            changed = set(form.changed_data)
            patch = {k: v for k, v in form.to_data().items() if k in changed}
            actions.do_edit_call(me(request), call, patch)
        except ActionError as exc:
            not_found_on(exc)
            show_error(form, exc)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("web:call", call_id=call.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, {**context, "editing": call}, status)


@require_POST
@signed_in
def publish_call(request: HttpRequest, call_id: int) -> HttpResponse:
    try:
        call = queries.readable_call(request.user, call_id)
        actions.do_publish_call(me(request), call)
    except ActionError as exc:
        return back_with(request, exc, f"/calls/{call_id}/manage/")
    messages.success(request, _("The call is open: the members who fit it are told."))
    return redirect("web:call", call_id=call.pk)


@require_POST
@signed_in
def close_call(request: HttpRequest, call_id: int) -> HttpResponse:
    outcome = request.POST.get("outcome", "")
    try:
        call = queries.readable_call(request.user, call_id)
        actions.do_close_call(me(request), call, outcome)
    except ActionError as exc:
        return back_with(request, exc, f"/calls/{call_id}/manage/")
    messages.success(request, str(CLOSED[outcome]))
    return redirect("web:call-dashboard", call_id=call.pk)


def _matches(request: HttpRequest, call: Call) -> list[dict[str, Any]]:
    found = best_matches(call, request.user, MATCHES_SHOWN)
    applied = set(
        Application.objects.filter(
            call=call, applicant_id__in=[m.user_id for m in found]
        ).values_list("applicant_id", flat=True)
    )
    return [
        {
            "user": m.profile.user,
            "score": round(m.score * 100),
            "reasons": [reason_label(r["field"], r["value"]) for r in m.reasons],
            "applied": m.user_id in applied,
        }
        for m in found
        if m.profile is not None
    ]


def _moves(call: Call, application: Application) -> list[tuple[str, Any]]:
    if call.status not in (Call.Status.OPEN, Call.Status.CLOSED, Call.Status.FILLED):
        return []
    moves = [a for a in actions.APPLICATION_MOVES[application.status] if a in BUTTONS]
    if call.accepted_count >= call.positions:
        moves = [a for a in moves if a != "accept"]
    return [(a, BUTTONS[a]) for a in moves]


def _dashboard(
    request: HttpRequest,
    call: Call,
    bound: dict[int, OutcomeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = list(queries.applications(call).order_by("created_at", "id")[:500])
    shown = queries.applicant_view(request.user, rows)
    applications = []
    for application in rows:
        application.call = call
        fields = shown.get(application.applicant_id) or {}
        accepted = application.status == Application.Status.ACCEPTED
        applications.append(
            {
                "a": application,
                "profile": queries.application_json(application, fields)["profile"],
                "sectors": sector_labels(fields.get("sectors") or []),
                "moves": _moves(call, application),
                "outcome_form": (bound or {}).get(application.pk)
                or (outcome_form(application) if accepted else None),
            }
        )
    allowed = [s for s in actions.CALL_MOVES[call.status] if s != "open"]
    return render(
        request,
        "calls/dashboard.html",
        {
            **network_context(request, call.network, "calls"),
            "call": call,
            "matches": _matches(request, call),
            "applications": applications,
            "close_moves": [(s, CLOSE_LABELS[s]) for s in allowed],
            "csv_url": f"/api/v1/calls/{call.pk}/applications.csv",
        },
        status=status,
    )


@signed_in
def dashboard(request: HttpRequest, call_id: int) -> HttpResponse:
    return _dashboard(request, managed(request, call_id))


def _call_id(raw: str) -> Any:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else raw


@require_POST
@signed_in
def decide(request: HttpRequest, application_id: int) -> HttpResponse:
    call_id = _call_id(request.POST.get("call", ""))
    action = request.POST.get("action", "")
    back = f"/calls/{call_id}/manage/" if isinstance(call_id, int) else "/"
    try:
        application = queries.readable_application(request.user, application_id)
        actions.do_decide(me(request), application, action, call_id=call_id)
    except ActionError as exc:
        return back_with(request, exc, back)
    messages.success(request, str(DECIDED[action]))
    return redirect(back)


@require_POST
@signed_in
def record_outcome(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        application = queries.readable_application(request.user, application_id)
        actions.check_can_manage(request.user, application.call)
    except ActionError as exc:
        not_found_on(exc)
        raise
    call = application.call
    form = outcome_form(application, request.POST)
    if form.is_valid():
        try:
            actions.do_record_outcome(me(request), application, form.to_data())
        except InvalidInput as exc:
            show_error(form, exc)
        except ActionError as exc:
            return back_with(request, exc, f"/calls/{call.pk}/manage/")
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("web:call-dashboard", call_id=call.pk)
    return _dashboard(request, call, {application.pk: form}, status=400)
