"""REST views for meetings, RSVPs, check-in and calendars. Each parses, calls one action
or query, answers (validation is the actions', so every door refuses the same input)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import Network
from core.api import CURSOR, LIMIT, json_object, me, page
from core.errors import NotFound
from core.pagination import paginate
from meetings import actions, feeds, queries
from meetings.serializers import (
    AttendeeSerializer,
    CalendarTokenSerializer,
    CheckInSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
    RsvpResultSerializer,
    RsvpWriteSerializer,
)
from permissions import checks

TAGS = ["meetings"]
ORDER = ("starts_at", "id")
CALENDAR = "text/calendar; charset=utf-8"


class NetworkMeetingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="ISO 8601; default now (what is to come)."),
            OpenApiParameter("to", str, description="ISO 8601; meetings starting before it."),
            CURSOR,
            LIMIT,
        ],
        responses={200: page(MeetingSerializer, "MeetingPage")},
        tags=TAGS,
        description="The network's meetings that end after `from`, soonest first.",
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        start, end = queries.window(request.query_params)
        rows, next_cursor = paginate(queries.network_meetings(network, start, end), request, ORDER)
        rows = queries.of_network(rows, network)
        mine = queries.rsvps_of(request.user, rows)
        results = [queries.meeting_json(m, request.user, mine.get(m.pk)) for m in rows]
        return Response({"results": results, "next": next_cursor})

    @extend_schema(request=MeetingWriteSerializer, responses={201: MeetingSerializer}, tags=TAGS)
    def post(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        meeting = actions.do_create_meeting(me(request), network, json_object(request))
        return Response(queries.meeting_json(meeting, request.user, None), status=201)


class MeetingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeetingSerializer}, tags=TAGS)
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = queries.readable_meeting(request.user, meeting_id)
        rsvp = queries.rsvps_of(request.user, [meeting]).get(meeting.pk)
        return Response(queries.meeting_json(meeting, request.user, rsvp, place=True))

    @extend_schema(request=MeetingWriteSerializer, responses={200: MeetingSerializer}, tags=TAGS)
    def patch(self, request: Request, meeting_id: int) -> Response:
        meeting = queries.readable_meeting(request.user, meeting_id)
        meeting = actions.do_edit_meeting(me(request), meeting, json_object(request))
        return self.get(request, meeting.pk)

    @extend_schema(
        responses={200: MeetingSerializer},
        tags=TAGS,
        description="Cancel (the meeting stays, `status: cancelled`; those coming are told).",
    )
    def delete(self, request: Request, meeting_id: int) -> Response:
        meeting = queries.readable_meeting(request.user, meeting_id)
        actions.do_cancel_meeting(me(request), meeting)
        return self.get(request, meeting.pk)


class RsvpView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=RsvpWriteSerializer, responses={200: RsvpResultSerializer}, tags=TAGS)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = queries.readable_meeting(request.user, meeting_id)
        rsvp = actions.do_rsvp(me(request), meeting, json_object(request).get("status"))
        return Response({"rsvp": rsvp.status, "waitlist_position": queries.waitlist_place(rsvp)})


class AttendeesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AttendeeSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = queries.readable_meeting(request.user, meeting_id)
        actions.check_can_organize(request.user, meeting.network)
        return Response(queries.attendees(meeting))


class CheckInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CheckInSerializer, responses={200: AttendeeSerializer}, tags=TAGS)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = queries.readable_meeting(request.user, meeting_id)
        rsvp = actions.do_check_in(me(request), meeting, json_object(request).get("user_id"))
        return Response(
            {
                "user": queries.person(rsvp.user),
                "rsvp": rsvp.status,
                "checked_in": True,
                "checked_in_at": rsvp.checked_in_at,
            }
        )


def _calendar_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CALENDAR)
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


class MeetingIcsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "text/calendar"): str}, tags=TAGS)
    def get(self, request: Request, meeting_id: int) -> HttpResponse:
        meeting = queries.readable_meeting(request.user, meeting_id)
        rsvps = queries.rsvps_of(request.user, [meeting])
        body = feeds.calendar([meeting], request.user, rsvps, meeting.title)
        return _calendar_response(body, f"meeting-{meeting.pk}")


class NetworkFeedView(APIView):
    """A calendar application's view of a network: no session, a token instead."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        parameters=[OpenApiParameter("token", str, description="GET /calendar-token/ gives it.")],
        responses={(200, "text/calendar"): str},
        tags=TAGS,
        description=(
            "Meetings of the last 30 days and the next 365. A public network's feed needs no "
            "token; a private or hidden one's needs the token of someone who may read it now."
        ),
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        token = request.query_params.get("token")
        viewer = feeds.owner_of(token) if token else None
        if token and viewer is None:
            raise NotFound()
        network = feeds.feed_network(viewer, slug)
        rows = feeds.feed_meetings(network)
        rsvps = queries.rsvps_of(viewer, rows) if viewer else {}
        return _calendar_response(feeds.calendar(rows, viewer, rsvps, network.name), network.slug)


class CalendarTokenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CalendarTokenSerializer}, tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(self._answer(request, feeds.token_for(me(request))))

    @extend_schema(
        responses={200: CalendarTokenSerializer},
        tags=TAGS,
        description="Revoke your token: the feeds' old addresses stop working; here are the new.",
    )
    def delete(self, request: Request) -> Response:
        return Response(self._answer(request, feeds.revoke(me(request))))

    @staticmethod
    def _answer(request: Request, token: str) -> dict[str, Any]:
        user = me(request)
        networks = Network.objects.filter(
            pk__in=checks.readable_network_ids(user), archived=False
        ).order_by("slug")
        return {
            "token": token,
            "feeds": {
                n.slug: request.build_absolute_uri(
                    f"/api/v1/networks/{n.slug}/calendar.ics?token={token}"
                )
                for n in networks
            },
        }
