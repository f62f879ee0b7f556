"""GET/POST /api/v1/networks/{slug}/members/{user_id}/permissions/: what a member may do
in a network, and an owner's grants and withdrawals (`community.actions.grants`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.actions.grants import do_set_permissions, member_permissions
from community.serializers import MemberPermissionsSerializer, PermissionChangeSerializer
from core.api import check_id, me, parse
from permissions import checks


class MemberPermissionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: MemberPermissionsSerializer},
        tags=["membership"],
        summary="A member's permissions on the network (moderators, the member)",
        description=(
            "`permissions` is what the member may do there: their role's bundle, plus "
            "`granted`, minus `revoked` (an owner's overrides)."
        ),
    )
    def get(self, request: Request, slug: str, user_id: int) -> Response:
        check_id(user_id)
        network = checks.access_network_content(request.user, slug)
        found = member_permissions(me(request), network, user_id)
        return Response(MemberPermissionsSerializer(found).data)

    @extend_schema(
        request=PermissionChangeSerializer,
        responses={200: MemberPermissionsSerializer},
        tags=["membership"],
        summary="Grant or withdraw single permissions of a member (owners)",
        description=(
            "Not to oneself, an owner, a banned person or a non-member. Granting what the "
            "role carries, or withdrawing what it lacks, clears an earlier override. "
            "Audited as `member.permissions`."
        ),
    )
    def post(self, request: Request, slug: str, user_id: int) -> Response:
        check_id(user_id)
        network = checks.access_network(request.user, slug)
        data = parse(PermissionChangeSerializer, request)
        found = do_set_permissions(
            me(request), network, user_id, data.get("grant", []), data.get("revoke", [])
        )
        return Response(MemberPermissionsSerializer(found).data)
