"""Web pages for the directory: search with facets, a member's profile, editing one's own.

The search is `directory.queries.search_directory`, the one the API uses: fields a
viewer may not see neither show nor match nor count in the facets. Editing calls
`directory.actions.do_update_profile` with the same shape as `PATCH /profile/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from community.models import Network
from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError, InvalidInput
from core.web import apply_action_error, not_found_on, signed_in
from directory import actions, display_names, queries
from directory.models import DEFAULT_VISIBILITY, Audience, Relation
from directory.vocabulary import Engagement, ProjectStage, Region, Sector
from permissions.checks import share_a_network

FACETS = ("country", "sector", "language", "engagement", "project_holder")
FACET_TITLES = {
    "country": _("Country"),
    "sector": _("Sector"),
    "language": _("Languages"),
    "engagement": _("Engagement"),
    "project_holder": _("Project holders"),
}
COMMON_LANGUAGES = ("ar", "ary", "zgh", "fr", "en", "es", "de", "nl", "it")


def facet_label(name: str, value: str) -> str:
    """A facet value as people read it, in the page's language."""
    if name == "country":
        return display_names.country_name(value)
    if name == "language":
        return display_names.language_name(value)
    if name == "sector" and value in Sector.values:
        return str(Sector(value).label)
    if name == "engagement" and value in Engagement.values:
        return str(Engagement(value).label)
    if name == "project_holder":
        return str(_("Project holders") if value == "true" else _("Others"))
    return value


def _toggle(params: QueryDict, name: str, value: str) -> str:
    """The query string with `value` of facet `name` switched on or off (and no cursor)."""
    query = params.copy()
    query.pop("cursor", None)
    values = [v for v in query.getlist(name) if v]
    query.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    return query.urlencode()


def _facets(params: QueryDict, facets: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    shown = []
    for name in FACETS:
        counts = facets.get(name) or {}
        selected = set(params.getlist(name))
        values = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:12]
        if not values:
            continue
        shown.append(
            {
                "name": name,
                "title": FACET_TITLES[name],
                "values": [
                    {
                        "value": value,
                        "label": facet_label(name, value),
                        "count": count,
                        "selected": value in selected,
                        "query": _toggle(params, name, value),
                    }
                    for value, count in values
                ],
            }
        )
    return shown


def _search(request: HttpRequest, network: Network | None) -> dict[str, Any]:
    error = ""
    try:
        page = queries.search_directory(request.user, request.GET, network=network, limit=20)
    except InvalidInput:
        error = str(_("Some filters are not valid; they were ignored."))
        page = queries.search_directory(request.user, QueryDict(), network=network, limit=20)
    for row in page["results"]:
        row["sector_labels"] = [facet_label("sector", s) for s in row.get("sectors") or []]
        row["engagement_labels"] = [
            facet_label("engagement", e) for e in row.get("engagement") or []
        ]
    return {
        "results": page["results"],
        "facets": _facets(request.GET, page["facets"]),
        "estimated_total": page["estimated_total"],
        "next_cursor": page["next"],
        "q": request.GET.get("q", ""),
        "filter_error": error,
    }


@signed_in
def directory(request: HttpRequest) -> HttpResponse:
    """Every network you may read, searched at once."""
    return render(request, "directory/search.html", {"tab": "directory", **_search(request, None)})


@signed_in
def network_directory(request: HttpRequest, slug: str) -> HttpResponse:
    network = content_network(request, slug)
    context = network_context(request, network, "directory")
    context.update(_search(request, network))
    return render(request, "directory/search.html", context)


@signed_in
def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member's profile: only the fields their audience settings show to you."""
    try:
        found = queries.profile_by_username(username)
    except ActionError as exc:
        not_found_on(exc)
        raise
    owner = found.user
    relation = queries.relation_to(request.user, owner.pk)
    data = queries.profile_json(found, relation)
    data["sector_labels"] = [facet_label("sector", s) for s in data.get("sectors") or []]
    data["engagement_labels"] = [facet_label("engagement", e) for e in data.get("engagement") or []]
    if data.get("origin_region") in Region.values:
        data["origin_region_label"] = Region(data["origin_region"]).label
    project = data.get("project")
    if project:
        project["sector_label"] = facet_label("sector", project.get("sector") or "")
        if project.get("stage") in ProjectStage.values:
            project["stage_label"] = ProjectStage(project["stage"]).label
        if project.get("target_region") in Region.values:
            project["region_label"] = Region(project["target_region"]).label
    is_me = owner.pk == request.user.pk
    return render(
        request,
        "directory/profile.html",
        {
            "tab": "directory",
            "person": owner,
            "p": data,
            "is_me": is_me,
            "may_message": not is_me and share_a_network(me(request).pk, owner.pk),
            "relation": relation,
        },
    )


# --- editing one's profile --------------------------------------------------------------------

AUDIENCE_CHOICES = Audience.choices
BLANK: list[tuple[str, Any]] = [("", "—")]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    headline = forms.CharField(
        label=_("Headline"),
        max_length=200,
        required=False,
        help_text=_("What you do, in a line: “Cardiologist in Montréal”."),
    )
    bio = forms.CharField(
        label=_("About you"), max_length=5000, required=False, widget=forms.Textarea({"rows": 4})
    )
    country = forms.ChoiceField(label=_("Country of residence"), required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    origin_region = forms.ChoiceField(
        label=_("Region of origin in Morocco"), required=False, choices=BLANK + Region.choices
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        required=False,
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas: cardiology, machine learning, export…"),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), required=False, widget=forms.CheckboxSelectMultiple
    )
    years_experience = forms.IntegerField(
        label=_("Years of experience"), required=False, min_value=0, max_value=80
    )
    engagement = forms.MultipleChoiceField(
        label=_("How you would like to contribute"),
        required=False,
        choices=Engagement.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    is_project_holder = forms.BooleanField(label=_("I hold a project"), required=False)
    open_to_calls = forms.BooleanField(
        label=_("I am open to my networks' calls for expertise"), required=False
    )
    availability = forms.CharField(
        label=_("Availability"),
        max_length=300,
        required=False,
        help_text=_("When and how: two weeks a year, remote evenings, from June…"),
    )
    project_title = forms.CharField(label=_("Project title"), max_length=200, required=False)
    project_sector = forms.ChoiceField(
        label=_("Project sector"), required=False, choices=BLANK + Sector.choices
    )
    project_stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=BLANK + ProjectStage.choices
    )
    project_target_region = forms.ChoiceField(
        label=_("Target region"), required=False, choices=BLANK + Region.choices
    )
    project_summary = forms.CharField(
        label=_("Summary"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, current_languages: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = BLANK + display_names.country_choices()  # type: ignore[attr-defined]
        codes = list(dict.fromkeys([*COMMON_LANGUAGES, *current_languages]))
        self.fields["languages"].choices = [  # type: ignore[attr-defined]
            (c, display_names.language_name(c)) for c in codes
        ]
        for name in (
            "display_name",
            "headline",
            "bio",
            "city",
            "skills",
            "availability",
            "project_title",
        ):
            self.fields[name].widget.attrs["dir"] = "auto"
        self.fields["project_summary"].widget.attrs["dir"] = "auto"
        for field in DEFAULT_VISIBILITY:
            self.fields[f"visibility_{field}"] = forms.ChoiceField(
                label=_("Who sees this"), choices=AUDIENCE_CHOICES, required=False
            )

    def audience_field(self, name: str) -> forms.BoundField:
        return self[f"visibility_{name}"]

    def to_patch(self) -> dict[str, Any]:
        """The form as a `PATCH /profile/` body."""
        data = self.cleaned_data
        skills = [s.strip() for s in data["skills"].split(",") if s.strip()]
        patch: dict[str, Any] = {
            "display_name": data["display_name"],
            "headline": data["headline"],
            "bio": data["bio"],
            "country": data["country"],
            "city": data["city"],
            "origin_region": data["origin_region"],
            "sectors": data["sectors"],
            "skills": skills,
            "languages": data["languages"],
            "years_experience": data["years_experience"],
            "engagement": data["engagement"],
            "is_project_holder": data["is_project_holder"],
            "open_to_calls": data["open_to_calls"],
            "availability": data["availability"],
            "visibility": {
                f: data[f"visibility_{f}"] for f in DEFAULT_VISIBILITY if data[f"visibility_{f}"]
            },
        }
        if data["is_project_holder"]:
            patch["project"] = {
                "title": data["project_title"],
                "sector": data["project_sector"],
                "stage": data["project_stage"],
                "target_region": data["project_target_region"],
                "summary": data["project_summary"],
            }
        return patch


# Action error keys → the form field that shows them.
ERROR_FIELDS = {
    "project": "project_title",
    "project.sector": "project_sector",
    "project.stage": "project_stage",
    "project.target_region": "project_target_region",
    "title": "project_title",
    "summary": "project_summary",
}


def _initial(found: Any) -> dict[str, Any]:
    initial = {
        name: getattr(found, name)
        for name in (
            "display_name",
            "headline",
            "bio",
            "country",
            "city",
            "origin_region",
            "sectors",
            "languages",
            "years_experience",
            "engagement",
            "is_project_holder",
            "open_to_calls",
            "availability",
            "project_title",
            "project_sector",
            "project_stage",
            "project_target_region",
            "project_summary",
        )
    }
    initial["skills"] = ", ".join(found.skills or [])
    for field in DEFAULT_VISIBILITY:
        initial[f"visibility_{field}"] = found.audience(field)
    return initial


@signed_in
def edit_profile(request: HttpRequest) -> HttpResponse:
    """Your profile, each field with its audience: anyone, people who share a network, only you."""
    user = me(request)
    found = queries.own_profile(user)
    form = ProfileForm(
        request.POST or None, initial=_initial(found), current_languages=found.languages or []
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_profile(user, user, form.to_patch())
        except ActionError as exc:
            for key, errors in (exc.fields or {}).items():
                name = ERROR_FIELDS.get(key, key)
                for error in errors if isinstance(errors, list) else [errors]:
                    form.add_error(name if name in form.fields else None, str(error))
            if not exc.fields:
                apply_action_error(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            if request.GET.get("welcome"):
                messages.info(request, _("Now find a network to join."))
                return redirect("web:networks")
            return redirect("web:profile", username=user.get_username())
    sections = [
        (_("Who you are"), ["display_name", "headline", "bio"]),
        (_("Where"), ["country", "city", "origin_region"]),
        (_("What you do"), ["sectors", "skills", "languages", "years_experience", "engagement"]),
        (_("Calls for expertise"), ["open_to_calls", "availability"]),
        (
            _("Your project"),
            [
                "is_project_holder",
                "project_title",
                "project_sector",
                "project_stage",
                "project_target_region",
                "project_summary",
            ],
        ),
    ]
    audience_of = {
        "project_title": "project",
        **{f: f for f in DEFAULT_VISIBILITY if f != "project"},
    }
    rows = [
        (
            title,
            [
                (
                    form[name],
                    form.audience_field(audience_of[name]) if name in audience_of else None,
                )
                for name in names
            ],
        )
        for title, names in sections
    ]
    return render(
        request,
        "directory/edit_profile.html",
        {
            "form": form,
            "sections": rows,
            "tab": "directory",
            "relation_owner": Relation.OWNER,
            "welcome": bool(request.GET.get("welcome")),
        },
    )
