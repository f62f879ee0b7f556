"""Reading calls: who may see one (drafts only their managers), its JSON as a reader
sees it, a network's list (open first), applications as the poster may see their
applicants, and a network's record of what its calls mobilised."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from calls.actions import manages_all_calls, may_manage
from calls.models import Application, Call
from community.models import Network
from core.errors import InvalidInput, NotFound
from core.validation import is_int
from directory import validation as v
from directory.models import Profile, Relation
from directory.queries import co_members_among, person
from directory.vocabulary import Sector
from permissions import checks

Status = Call.Status
OPEN_ORDER = ("deadline", "id")
OTHER_ORDER = ("-created_at", "-id")


def readable_call(user: Any, call_id: Any) -> Call:
    """The call if its network is readable by `user` (a draft: if they manage it);
    otherwise the same 404 as none."""
    if not is_int(call_id) or not 0 < int(call_id) < 2**63:
        raise NotFound()
    call = (
        Call.objects.select_related("network", "poster__profile")
        .filter(pk=call_id, network__archived=False)
        .first()
    )
    if call is None:
        raise NotFound()
    checks.check_can_read(user, call.network)
    if call.status == Status.DRAFT and not may_manage(user, call):
        raise NotFound()
    return call


def readable_application(user: Any, application_id: Any) -> Application:
    """The application, to its applicant and to the managers of its call."""
    if not is_int(application_id) or not 0 < int(application_id) < 2**63:
        raise NotFound()
    application = (
        Application.objects.select_related("call__network", "call__poster", "applicant__profile")
        .filter(pk=application_id, call__network__archived=False)
        .first()
    )
    if application is None:
        raise NotFound()
    if application.applicant_id == getattr(user, "pk", None):
        return application
    checks.check_can_read(user, application.call.network)  # as every door of the network
    if not may_manage(user, application.call):
        raise NotFound()
    return application


def network_calls(user: Any, network: Network, params: Any) -> tuple[QuerySet[Call], tuple]:
    """The network's calls as listed: open ones taking applications (deadline soonest)
    without `?status=`, else that status (newest first; drafts: those one manages)."""
    rows = Call.objects.filter(network=network).select_related("poster__profile")
    status = params.get("status") or ""
    if status and status not in Status.values:
        raise InvalidInput(
            "invalid", f"status must be one of {', '.join(Status.values)}.", {"status": ["?"]}
        )
    if not status:
        rows = rows.filter(status=Status.OPEN, deadline__gt=timezone.now())
        order = OPEN_ORDER
    else:
        rows = rows.filter(status=status)
        order = OPEN_ORDER if status == Status.OPEN else OTHER_ORDER
        if status == Status.DRAFT and not manages_all_calls(user, network):
            rows = rows.filter(poster_id=getattr(user, "pk", 0))
    if kind := params.get("kind"):
        rows = rows.filter(kind=v.clean_choice("kind", kind, Call.Kind, blank=False))
    if sector := params.get("sector"):
        sector = v.clean_choice("sector", sector, Sector, blank=False)
        # The JSON list as text holds the code quoted (SQLite has no JSON containment); a
        # network's calls are few, so no index is wanted.
        rows = rows.filter(sectors__icontains=f'"{sector}"')
    return rows, order


def of_network(rows: list[Call], network: Network) -> list[Call]:
    """The rows bound to the caller's network object (its permission memo is read once)."""
    for call in rows:
        call.network = network
    return rows


def applications_of(user: Any, calls: list[Call]) -> dict[int, Application]:
    """The reader's own applications to these calls, in one query."""
    if not getattr(user, "is_authenticated", False) or not calls:
        return {}
    rows = Application.objects.filter(applicant=user, call__in=calls)
    return {a.call_id: a for a in rows}


def own_application_json(application: Application | None) -> dict[str, Any] | None:
    if application is None:
        return None
    return {
        "id": application.pk,
        "status": application.status,
        "message": application.message,
        "available_from": application.available_from,
        "available_to": application.available_to,
        "outcome": application.outcome or None,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
    }


def call_json(call: Call, user: Any, mine: Application | None) -> dict[str, Any]:
    return {
        "id": call.pk,
        "network": call.network.slug,
        "title": call.title,
        "summary": call.summary,
        "body": call.body,
        "body_html": call.body_html,
        "kind": call.kind,
        "sectors": call.sectors,
        "skills": call.skills,
        "languages": call.languages,
        "countries": call.countries,
        "remote": call.remote,
        "moroccan_region": call.moroccan_region or None,
        "duration_days": call.duration_days,
        "deadline": call.deadline,
        "positions": call.positions,
        "message_required": call.message_required,
        "status": call.status,
        "accepting_applications": call.accepts_applications(),
        "poster": person(call.poster),
        "applications_count": call.applications_count,
        "accepted_count": call.accepted_count,
        "my_application": own_application_json(mine),
        "may_manage": may_manage(user, call),
        "published_at": call.published_at,
        "created_at": call.created_at,
        "updated_at": call.updated_at,
    }


def applications(call: Call) -> QuerySet[Application]:
    return Application.objects.filter(call=call).select_related("applicant__profile")


def applicant_view(viewer: Any, applications: list[Application]) -> dict[int, dict[str, Any]]:
    """Each applicant's profile fields as `viewer` may see them, by applicant id (the
    relations of all of them in one query)."""
    ids = {a.applicant_id for a in applications}
    if getattr(viewer, "is_staff", False):
        level = dict.fromkeys(ids, Relation.OWNER)
    else:
        close = co_members_among(viewer.pk, ids)
        level = {uid: Relation.CO_MEMBER if uid in close else Relation.OUTSIDER for uid in ids}
    out = {}
    for application in applications:
        user = application.applicant
        profile = getattr(user, "profile", None) or Profile(user=user)
        out[user.pk] = profile.visible_fields(level[user.pk])
    return out


def application_json(application: Application, fields: dict[str, Any] | None) -> dict[str, Any]:
    """An application as its call's managers see it: the applicant with the profile
    fields they may see (`fields`), the message and the decision."""
    shown = fields or {}
    return {
        "id": application.pk,
        "call": application.call_id,
        "applicant": person(application.applicant),
        "profile": {
            k: shown[k]
            for k in ("headline", "country", "sectors", "skills", "languages", "years_experience")
            if k in shown
        },
        "message": application.message,
        "available_from": application.available_from,
        "available_to": application.available_to,
        "status": application.status,
        "decided_at": application.decided_at,
        "outcome": application.outcome or None,
        "outcome_days": application.outcome_days,
        "outcome_feedback": application.outcome_feedback,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
    }


def my_applications(user: Any) -> QuerySet[Application]:
    """One's applications, in networks one may still read."""
    readable = checks.readable_network_ids(user)
    return Application.objects.filter(applicant=user, call__network_id__in=readable).select_related(
        "call__network"
    )


def my_application_json(application: Application) -> dict[str, Any]:
    call = application.call
    return {
        **(own_application_json(application) or {}),
        "call": {
            "id": call.pk,
            "title": call.title,
            "network": call.network.slug,
            "status": call.status,
            "deadline": call.deadline,
        },
    }


def record(network: Network) -> dict[str, int]:
    """What the network's calls mobilised: calls published, applications, people
    accepted (a person accepted by two calls counts in both), mission days of the
    completed ones; from the calls' own counters, which an account's erasure keeps."""
    published = ~Q(status__in=[Status.DRAFT])
    calls = Call.objects.filter(published, network=network).aggregate(
        calls=Count("id"),
        applications=Sum("applications_count"),
        people=Sum("accepted_count"),
        days=Sum("mission_days"),
    )
    return {
        "calls_published": calls["calls"] or 0,
        "applications": calls["applications"] or 0,
        "people_mobilised": calls["people"] or 0,
        "mission_days": calls["days"] or 0,
    }
