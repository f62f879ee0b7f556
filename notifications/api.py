"""REST views of the signed-in user's notifications: the list, the unread count, and
marking read. Each parses input, calls one query or action and serializes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CURSOR, LIMIT, me, page, parse
from core.errors import InvalidInput
from core.pagination import paginate
from notifications import queries
from notifications.actions import do_mark_read
from notifications.serializers import (
    MarkReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)

TAGS = ["notifications"]
UNREAD = OpenApiParameter("unread", bool, description="true: only unread ones.")


def _unread_only(request: Request) -> bool:
    raw = request.query_params.get("unread")
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise InvalidInput("invalid", "unread must be true or false.", {"unread": ["Not a boolean."]})


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        parameters=[UNREAD, CURSOR, LIMIT],
        responses=page(NotificationSerializer, "NotificationPage"),
    )
    def get(self, request: Request) -> Response:
        """Your notifications, newest first; only those of networks you may still read."""
        user = me(request)
        notifications = queries.visible(user)
        if _unread_only(request):
            notifications = notifications.filter(read_at__isnull=True)
        rows, next_cursor = paginate(queries.for_listing(notifications), request, ["-id"])
        language, zone = queries.ui_language(user.pk), queries.time_zone(user)
        results = queries.serialize(rows, language, zone) if rows else []
        return Response({"results": results, "next": next_cursor})


class UnreadCountView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, responses=UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        return Response({"count": queries.unread_count(me(request))})


class MarkReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        request=MarkReadSerializer,
        responses={204: OpenApiResponse(description="Marked read.")},
    )
    def post(self, request: Request) -> Response:
        """Mark these (ids that are not yours are ignored) or all your notifications read."""
        data = parse(MarkReadSerializer, request)
        do_mark_read(me(request), ids=data.get("ids"), every=bool(data.get("all")))
        return Response(status=status.HTTP_204_NO_CONTENT)
