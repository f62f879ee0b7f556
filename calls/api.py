"""REST views for calls, applications, matches and their outcomes. Each parses, calls
one action or query, answers (validation is the actions', so every door refuses the
same input)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from calls import actions, export, queries
from calls.matching import best_matches
from calls.models import Application
from calls.serializers import (
    ApplicationSerializer,
    ApplyWriteSerializer,
    CallSerializer,
    CallWriteSerializer,
    CloseSerializer,
    DecisionSerializer,
    MatchesSerializer,
    MyApplicationSerializer,
    OutcomeSerializer,
)
from core.api import CURSOR, LIMIT, json_object, me, page
from core.errors import InvalidInput
from core.pagination import paginate
from directory.queries import person
from permissions import checks

TAGS = ["calls"]
MAX_MATCHES = 200


def _call_answer(request: Request, call_id: int) -> Response:
    call = queries.readable_call(request.user, call_id)
    mine = queries.applications_of(request.user, [call]).get(call.pk)
    return Response(queries.call_json(call, request.user, mine))


class NetworkCallsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, description="Without it: open calls still taking applications."
            ),
            OpenApiParameter("kind", str),
            OpenApiParameter("sector", str),
            CURSOR,
            LIMIT,
        ],
        responses={200: page(CallSerializer, "CallPage")},
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        rows, order = queries.network_calls(request.user, network, request.query_params)
        found, next_cursor = paginate(rows, request, order)
        found = queries.of_network(found, network)
        mine = queries.applications_of(request.user, found)
        results = [queries.call_json(c, request.user, mine.get(c.pk)) for c in found]
        return Response({"results": results, "next": next_cursor})

    @extend_schema(
        request=CallWriteSerializer,
        responses={201: CallSerializer},
        tags=TAGS,
        description="A draft: publish it to open it (and tell the members who fit).",
    )
    def post(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        call = actions.do_create_call(me(request), network, json_object(request))
        return Response(queries.call_json(call, request.user, None), status=201)


class CallView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CallSerializer}, tags=TAGS)
    def get(self, request: Request, call_id: int) -> Response:
        return _call_answer(request, call_id)

    @extend_schema(request=CallWriteSerializer, responses={200: CallSerializer}, tags=TAGS)
    def patch(self, request: Request, call_id: int) -> Response:
        call = queries.readable_call(request.user, call_id)
        actions.do_edit_call(me(request), call, json_object(request))
        return _call_answer(request, call_id)


class PublishView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: CallSerializer}, tags=TAGS)
    def post(self, request: Request, call_id: int) -> Response:
        call = queries.readable_call(request.user, call_id)
        actions.do_publish_call(me(request), call)
        return _call_answer(request, call_id)


class CloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CloseSerializer, responses={200: CallSerializer}, tags=TAGS)
    def post(self, request: Request, call_id: int) -> Response:
        call = queries.readable_call(request.user, call_id)
        actions.do_close_call(me(request), call, json_object(request).get("outcome"))
        return _call_answer(request, call_id)


def _limit(raw: Any, default: int) -> int:
    if raw in (None, ""):
        return default
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_MATCHES:
        raise InvalidInput(
            "invalid", f"limit is 1–{MAX_MATCHES}.", {"limit": [f"1–{MAX_MATCHES}."]}
        )
    return int(text)


class MatchesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="1–200 (default 20).")],
        responses={200: MatchesSerializer},
        tags=TAGS,
        description="Members open to calls who fit, best first, judged only on what each "
        "lets the caller see. The call's poster and moderators (publish_calls).",
    )
    def get(self, request: Request, call_id: int) -> Response:
        call = queries.readable_call(request.user, call_id)
        actions.check_can_manage(request.user, call)
        matches = best_matches(call, request.user, _limit(request.query_params.get("limit"), 20))
        applied = set(
            Application.objects.filter(
                call=call, applicant_id__in=[m.user_id for m in matches]
            ).values_list("applicant_id", flat=True)
        )
        results = [
            {
                "user": person(m.profile.user if m.profile else None),
                "score": m.score,
                "reasons": m.reasons,
                "applied": m.user_id in applied,
            }
            for m in matches
        ]
        return Response({"results": results})


class CallApplicationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            CURSOR,
            LIMIT,
        ],
        responses={200: page(ApplicationSerializer, "ApplicationPage")},
        tags=TAGS,
    )
    def get(self, request: Request, call_id: int) -> Response:
        call = queries.readable_call(request.user, call_id)
        actions.check_can_manage(request.user, call)
        rows = queries.applications(call)
        if status := request.query_params.get("status"):
            if status not in Application.Status.values:
                raise InvalidInput("invalid", "Unknown status.", {"status": ["Unknown."]})
            rows = rows.filter(status=status)
        found, next_cursor = paginate(rows, request, ("created_at", "id"))
        shown = queries.applicant_view(request.user, found)
        results = [queries.application_json(a, shown.get(a.applicant_id)) for a in found]
        return Response({"results": results, "next": next_cursor})

    @extend_schema(
        request=ApplyWriteSerializer,
        responses={201: MyApplicationSerializer},
        tags=TAGS,
        description="Apply (members): one application per call (409 for a second); none "
        "after the deadline or once the call is closed (403).",
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = queries.readable_call(request.user, call_id)
        application = actions.do_apply(me(request), call, json_object(request))
        application.call = call
        return Response(queries.my_application_json(application), status=201)


class ApplicationsCsvView(APIView):
    """Every application of a call as a CSV file (its own address: `?format=` is DRF's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "text/csv"): str}, tags=TAGS)
    def get(self, request: Request, call_id: int) -> HttpResponse:
        call = queries.readable_call(request.user, call_id)
        actions.check_can_manage(request.user, call)
        response = HttpResponse(
            export.applications_csv(call, request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="call-{call.pk}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


class ApplicationActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=DecisionSerializer,
        responses={200: ApplicationSerializer},
        tags=TAGS,
        description="shortlist, accept, decline (the call's managers) or withdraw (the "
        "applicant); a move the application's status does not allow is 409 with the "
        "allowed ones.",
    )
    def post(self, request: Request, application_id: int, action: str) -> Response:
        application = queries.readable_application(request.user, application_id)
        user = me(request)
        if action == "withdraw":
            application = actions.do_withdraw(user, application)
        else:
            call_id = json_object(request).get("call")
            application = actions.do_decide(user, application, action, call_id)
        return Response(_application_answer(request, application))


def _application_answer(request: Request, application: Application) -> dict[str, Any]:
    application = queries.readable_application(request.user, application.pk)
    if application.applicant_id == request.user.pk:
        return queries.my_application_json(application)
    shown = queries.applicant_view(request.user, [application])
    return queries.application_json(application, shown.get(application.applicant_id))


class OutcomeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=OutcomeSerializer, responses={200: ApplicationSerializer}, tags=TAGS)
    def post(self, request: Request, application_id: int) -> Response:
        application = queries.readable_application(request.user, application_id)
        application = actions.do_record_outcome(me(request), application, json_object(request))
        return Response(_application_answer(request, application))


class MyApplicationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(MyApplicationSerializer, "MyApplicationPage")},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = queries.my_applications(me(request))
        found, next_cursor = paginate(rows, request, ("-created_at", "-id"))
        return Response(
            {"results": [queries.my_application_json(a) for a in found], "next": next_cursor}
        )
