"""REST views for networks, membership, invitations and the audit log.

Each view parses input, calls one action or query, and serializes the result.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community import queries
from community.actions.invitations import do_create_invitation, do_revoke_invitation
from community.actions.membership import (
    do_approve_member,
    do_ban_member,
    do_join_network,
    do_leave_network,
    do_mute_member,
    do_reject_member,
    do_remove_member,
    do_set_role,
    do_unban_member,
    do_unmute_member,
    find_network_for_join,
)
from community.actions.networks import check_create_network, do_create_network, do_update_network
from community.models import Membership, Network
from community.serializers import (
    AuditEntrySerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    JoinSerializer,
    MembershipSerializer,
    ModeratedMembershipSerializer,
    MuteSerializer,
    NetworkSerializer,
    NetworkUpdateSerializer,
    NetworkWriteSerializer,
    ReasonSerializer,
    SetRoleSerializer,
)
from core.api import CURSOR, LIMIT, check_id, me, page, parse, parse_empty
from core.errors import InvalidInput, NotAllowed, NotFound
from core.pagination import paginate
from permissions import checks

Status = Membership.Status


# --- networks ---------------------------------------------------------------------------


class NetworkListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Network.Kind.values),
            OpenApiParameter("q", str, description="Words in the name, theme or description."),
            CURSOR,
            LIMIT,
        ],
        responses={200: page(NetworkSerializer, "NetworkPage")},
        tags=["networks"],
        operation_id="networks_list",
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in Network.Kind.values:
            raise InvalidInput(
                "invalid", "kind must be geographic or thematic.", {"kind": ["Unknown kind."]}
            )
        q = (request.query_params.get("q") or "").strip()[:200] or None
        networks, next_cursor = paginate(
            queries.list_networks(request.user, kind=kind, q=q), request, ("name", "id")
        )
        return Response(
            {"results": NetworkSerializer(networks, many=True).data, "next": next_cursor}
        )

    @extend_schema(
        request=NetworkWriteSerializer, responses={201: NetworkSerializer}, tags=["networks"]
    )
    def post(self, request: Request) -> Response:
        check_create_network(me(request))
        data = parse(NetworkWriteSerializer, request)
        network = do_create_network(me(request), **data)
        network = queries.get_network_for_user(request.user, network)
        return Response(NetworkSerializer(network).data, status=status.HTTP_201_CREATED)


class NetworkDetailView(APIView):
    @extend_schema(responses={200: NetworkSerializer}, tags=["networks"])
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network(request.user, slug)
        mine = {"my_permissions": checks.network_perms(request.user, network)}
        annotated = queries.get_network_for_user(request.user, network)
        return Response(NetworkSerializer(annotated, context=mine).data)

    @extend_schema(
        request=NetworkUpdateSerializer, responses={200: NetworkSerializer}, tags=["networks"]
    )
    def patch(self, request: Request, slug: str) -> Response:
        network = checks.access_network(request.user, slug)
        checks.check_can_administer(request.user, network)
        data = parse(NetworkUpdateSerializer, request, instance=network, partial=True)
        network = do_update_network(me(request), network, **data)
        return Response(NetworkSerializer(queries.get_network_for_user(request.user, network)).data)


class JoinView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=JoinSerializer, responses={200: MembershipSerializer}, tags=["membership"]
    )
    def post(self, request: Request, slug: str) -> Response:
        data = parse(JoinSerializer, request)
        token = data.get("invitation")
        network = find_network_for_join(me(request), slug, token)
        membership = do_join_network(
            me(request), network, message=data.get("message", ""), invitation_token=token
        )
        return Response(MembershipSerializer(membership, context=_viewer(request)).data)


class LeaveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: MembershipSerializer}, tags=["membership"])
    def post(self, request: Request, slug: str) -> Response:
        parse_empty(request)
        network = checks.access_network(request.user, slug)
        membership = do_leave_network(me(request), network)
        return Response(MembershipSerializer(membership, context=_viewer(request)).data)


def _viewer(request: Request) -> dict[str, Any]:
    """Serializer context naming who asks: a member sees only their own `muted_until`."""
    return {"viewer_id": request.user.pk}


class MemberListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("role", str, enum=Membership.Role.values),
            OpenApiParameter("q", str, description="Words in the username or display name."),
            OpenApiParameter(
                "status",
                str,
                enum=Status.values,
                description="Moderators only for anything but active.",
            ),
            CURSOR,
            LIMIT,
        ],
        responses={200: page(ModeratedMembershipSerializer, "MembershipPage")},
        tags=["membership"],
        description=(
            "Members see the active members, and `muted_until` on their own row only; "
            "moderators also see pending, invited and banned people, and every mute."
        ),
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        membership = checks.get_membership(request.user, network)
        moderator = checks.may_manage_members(request.user, network)
        if not moderator and (membership is None or not membership.is_active):
            raise NotAllowed("not_member", "Only members of this network may list its members.")
        role = request.query_params.get("role") or None
        q = (request.query_params.get("q") or "")[:100]
        if role is not None and role not in Membership.Role.values:
            raise InvalidInput("invalid", "Unknown role.", {"role": ["Unknown role."]})
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in Status.values:
            raise InvalidInput("invalid", "Unknown status.", {"status": ["Unknown status."]})
        if moderator:
            statuses = (
                [wanted]
                if wanted
                else [Status.ACTIVE, Status.PENDING, Status.INVITED, Status.BANNED]
            )
        elif wanted in (None, Status.ACTIVE):
            statuses = [Status.ACTIVE]
        else:
            raise NotAllowed(
                "not_moderator", "Only moderators see pending, invited and banned members."
            )
        members, next_cursor = paginate(
            queries.list_members(network, statuses=statuses, role=role, q=q), request, ("id",)
        )
        serializer_cls = ModeratedMembershipSerializer if moderator else MembershipSerializer
        rows = serializer_cls(members, many=True, context=_viewer(request)).data
        return Response({"results": rows, "next": next_cursor})


MEMBER_ACTIONS: dict[str, tuple[type[serializers.Serializer] | None, Any]] = {
    "approve": (None, lambda a, n, u, d: do_approve_member(a, n, u)),
    "reject": (ReasonSerializer, lambda a, n, u, d: do_reject_member(a, n, u, d["reason"])),
    "ban": (ReasonSerializer, lambda a, n, u, d: do_ban_member(a, n, u, d["reason"])),
    "unban": (ReasonSerializer, lambda a, n, u, d: do_unban_member(a, n, u, d["reason"])),
    "mute": (
        MuteSerializer,
        lambda a, n, u, d: do_mute_member(a, n, u, d["minutes"], d["reason"]),
    ),
    "unmute": (None, lambda a, n, u, d: do_unmute_member(a, n, u)),
    "remove": (ReasonSerializer, lambda a, n, u, d: do_remove_member(a, n, u, d["reason"])),
    "set-role": (SetRoleSerializer, lambda a, n, u, d: do_set_role(a, n, u, d["role"])),
}


class MemberActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(MEMBER_ACTIONS))
        ],
        request=inline_serializer(
            name="MemberActionRequest",
            fields={
                "reason": serializers.CharField(required=False),
                "minutes": serializers.IntegerField(required=False, help_text="mute"),
                "role": serializers.ChoiceField(
                    Membership.Role.choices, required=False, help_text="set-role"
                ),
            },
        ),
        responses={200: ModeratedMembershipSerializer},
        tags=["membership"],
    )
    def post(self, request: Request, slug: str, user_id: int, action: str) -> Response:
        if action not in MEMBER_ACTIONS:
            raise NotFound("Unknown member action.")
        check_id(user_id)
        network = checks.access_network(request.user, slug)
        checks.check_can_manage_members(request.user, network)
        serializer_cls, run = MEMBER_ACTIONS[action]
        if serializer_cls is None:
            parse_empty(request)
            data: dict[str, Any] = {}
        else:
            data = parse(serializer_cls, request)
        membership = run(me(request), network, user_id, data)
        return Response(ModeratedMembershipSerializer(membership).data)


class InvitationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(InvitationSerializer, "InvitationPage")},
        tags=["membership"],
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network(request.user, slug)
        checks.check_can_manage_members(request.user, network)
        rows, next_cursor = paginate(queries.list_invitations(network), request, ("-id",))
        data = InvitationSerializer(rows, many=True, context={"request": request}).data
        return Response({"results": data, "next": next_cursor})

    @extend_schema(
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
        tags=["membership"],
    )
    def post(self, request: Request, slug: str) -> Response:
        network = checks.access_network(request.user, slug)
        checks.check_can_manage_members(request.user, network)
        data = parse(InvitationCreateSerializer, request)
        invitation = do_create_invitation(me(request), network, **data)
        return Response(
            InvitationSerializer(invitation, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class InvitationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: InvitationSerializer}, tags=["membership"])
    def delete(self, request: Request, slug: str, invitation_id: int) -> Response:
        check_id(invitation_id)
        network = checks.access_network(request.user, slug)
        invitation = do_revoke_invitation(me(request), network, invitation_id)
        return Response(InvitationSerializer(invitation, context={"request": request}).data)


class AuditLogView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(AuditEntrySerializer, "AuditEntryPage")},
        tags=["membership"],
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network(request.user, slug)
        checks.check_can_moderate(request.user, network)
        rows, next_cursor = paginate(queries.list_audit_entries(network), request, ("-id",))
        return Response(
            {"results": AuditEntrySerializer(rows, many=True).data, "next": next_cursor}
        )
