"""REST views for rooms, history, the event log, sending, editing and read markers.

Each view parses input, calls one action or query and serializes the result; a REST
send has exactly the effect of a websocket `message.send`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import access, limits, queries
from chat.actions import messages as message_actions
from chat.actions import rooms as room_actions
from chat.models import Room
from chat.serializers import (
    DirectOpenSerializer,
    EventPageSerializer,
    MessageCreateSerializer,
    MessageEditSerializer,
    MessagePageSerializer,
    MessageSerializer,
    ReactionSerializer,
    ReadResultSerializer,
    ReadSerializer,
    RoomCreateSerializer,
    RoomSerializer,
)
from core.api import CURSOR, LIMIT, me, page, parse
from core.errors import InvalidInput
from core.pagination import paginate, parse_limit
from permissions import checks

TAGS = ["chat"]
EVENTS_MAX_LIMIT = 1000


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(
            "invalid", f"{name} must be an integer.", {name: ["Not an integer."]}
        ) from None
    if value < 0:
        raise InvalidInput("invalid", f"{name} must not be negative.", {name: ["Negative."]})
    return value


def _room_data(request: Request, rooms: list[Any]) -> list[dict[str, Any]]:
    """Rooms from `queries` (annotated with the user's unread counts), serialized."""
    return list(RoomSerializer(rooms, many=True, context={"request": request}).data)


def _one_room(request: Request, room: Room) -> dict[str, Any]:
    if room.is_direct:
        room = queries.list_direct_rooms(request.user).get(pk=room.pk)
    else:
        room = queries.room_with_unread(room.pk, me(request).pk)
    return _room_data(request, [room])[0]


class RoomListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(RoomSerializer, "RoomPage")},
        tags=TAGS,
        summary="Rooms of a network, with your unread counts",
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        rooms, next_cursor = paginate(
            queries.list_rooms(network, request.user), request, ("name", "id")
        )
        return Response({"results": _room_data(request, rooms), "next": next_cursor})

    @extend_schema(
        request=RoomCreateSerializer,
        responses={201: RoomSerializer},
        tags=TAGS,
        summary="Create a room (moderators)",
    )
    def post(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        checks.check_can_manage_rooms(request.user, network)
        data = parse(RoomCreateSerializer, request)
        room = room_actions.do_create_room(
            me(request), network, data["name"], data.get("topic"), data.get("posting")
        )
        return Response(_one_room(request, room), status=status.HTTP_201_CREATED)


class DirectRoomView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(RoomSerializer, "DirectRoomPage")},
        tags=TAGS,
        summary="Your direct conversations, with unread counts",
    )
    def get(self, request: Request) -> Response:
        rooms, next_cursor = paginate(
            queries.list_direct_rooms(request.user), request, ("-seq", "-id")
        )
        return Response({"results": _room_data(request, rooms), "next": next_cursor})

    @extend_schema(
        request=DirectOpenSerializer,
        responses={200: RoomSerializer, 201: RoomSerializer},
        tags=TAGS,
        summary="The direct room between you and a member of a network you share",
    )
    def post(self, request: Request) -> Response:
        data = parse(DirectOpenSerializer, request)
        result = room_actions.do_open_direct_room(me(request), data["user_id"])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(_one_room(request, result.room), status=code)


class RoomDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RoomSerializer}, tags=TAGS, summary="One room")
    def get(self, request: Request, room_id: int) -> Response:
        return Response(_one_room(request, access.access_room(request.user, room_id)))


class MessageListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("before", int, description="Messages before this id (paging back)."),
            OpenApiParameter("after", int, description="Messages after this id (paging forward)."),
            LIMIT,
        ],
        responses={200: MessagePageSerializer},
        tags=TAGS,
        summary="History, keyset by message id, in chronological order",
    )
    def get(self, request: Request, room_id: int) -> Response:
        room = access.access_room(request.user, room_id)
        before, after = _int_param(request, "before"), _int_param(request, "after")
        if before is not None and after is not None:
            raise InvalidInput("invalid", "Use before or after, not both.")
        rows, more = queries.history(room, before=before, after=after, limit=parse_limit(request))
        context = {"request": request, "with_reactions": True}
        return Response(
            {
                "results": MessageSerializer(rows, many=True, context=context).data,
                "next": str(more) if more is not None else None,
            }
        )

    @extend_schema(
        request=MessageCreateSerializer,
        responses={
            201: MessageSerializer,
            200: OpenApiResponse(MessageSerializer, description="A repeated client_id."),
        },
        tags=TAGS,
        summary="Send a message (same effect as the websocket message.send)",
    )
    def post(self, request: Request, room_id: int) -> Response:
        room = access.access_room(request.user, room_id)
        data = parse(MessageCreateSerializer, request)
        result = message_actions.do_send_message(
            me(request), room, data["body"], data.get("client_id"), data.get("reply_to"), spend=True
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(MessageSerializer(result.message).data, status=code)


class EventListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("after_seq", int, description="The last seq you hold (default 0)."),
            OpenApiParameter("limit", int, description="Page size, 1–1000 (default 200)."),
        ],
        responses={200: EventPageSerializer},
        tags=TAGS,
        summary="The room's event log after a seq (what the websocket replays)",
    )
    def get(self, request: Request, room_id: int) -> Response:
        room = access.access_room(request.user, room_id)
        after_seq = _int_param(request, "after_seq") or 0
        limit = parse_limit(request, default=200, maximum=EVENTS_MAX_LIMIT)
        # What the page would carry is known before it is read: the replay budget pays it.
        seq = queries.room_seqs([room.pk])[room.pk]
        spent = limits.spend_replay(me(request), limits.replay_cost(seq, after_seq, limit))
        if not spent:
            raise limits.refused(spent, "replayed events")
        frames = queries.events_after(room.pk, after_seq, limit)
        if frames:
            seq = max(seq, frames[-1]["seq"])  # committed since the seq was read
        more = bool(frames) and frames[-1]["seq"] < seq and len(frames) == limit
        return Response(
            {"seq": seq, "results": frames, "next": str(frames[-1]["seq"]) if more else None}
        )


class MessageDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MessageEditSerializer,
        responses={200: MessageSerializer},
        tags=TAGS,
        summary="Edit your message",
    )
    def patch(self, request: Request, message_id: int) -> Response:
        message = message_actions.access_message(request.user, message_id)
        data = parse(MessageEditSerializer, request)
        limits.spend_write(me(request))
        message = message_actions.do_edit_message(me(request), message, data["body"])
        return Response(MessageSerializer(message).data)

    @extend_schema(
        request=None,
        responses={200: MessageSerializer},
        tags=TAGS,
        summary="Delete a message (author, or a moderator of the network)",
    )
    def delete(self, request: Request, message_id: int) -> Response:
        message = message_actions.access_message(request.user, message_id)
        limits.spend_write(me(request))
        message = message_actions.do_delete_message(me(request), message)
        return Response(MessageSerializer(message).data)


class ReactionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReactionSerializer, responses={204: None}, tags=TAGS, summary="React to a message"
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = message_actions.access_message(request.user, message_id)
        data = parse(ReactionSerializer, request)
        limits.spend_write(me(request))
        message_actions.do_add_reaction(me(request), message, data["emoji"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ReactionSerializer, responses={204: None}, tags=TAGS, summary="Withdraw a reaction"
    )
    def delete(self, request: Request, message_id: int) -> Response:
        message = message_actions.access_message(request.user, message_id)
        data = parse(ReactionSerializer, request)
        limits.spend_write(me(request))
        message_actions.do_remove_reaction(me(request), message, data["emoji"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReadSerializer,
        responses={200: ReadResultSerializer},
        tags=TAGS,
        summary="Move your read marker to a message",
    )
    def post(self, request: Request, room_id: int) -> Response:
        room = access.access_room(request.user, room_id)
        data = parse(ReadSerializer, request)
        result = room_actions.do_mark_read(me(request), room, data["message_id"])
        return Response(
            {"room": room.pk, "last_read_seq": result.marker.last_read_seq, "unread": result.unread}
        )
