"""REST views for profiles and the directory. Each parses, calls one action or query, answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CURSOR, LIMIT, me
from core.pagination import parse_limit
from directory import actions, queries
from directory.models import Relation
from directory.serializers import (
    DirectoryPageSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
)
from directory.vocabulary import Engagement, Sector
from permissions import checks

DIRECTORY_PARAMETERS = [
    OpenApiParameter("q", str, description="Words (Arabic, French, English; typos tolerated)."),
    OpenApiParameter("country", str, description="ISO 3166 codes, comma-separated or repeated."),
    OpenApiParameter("sector", str, enum=Sector.values, many=True),
    OpenApiParameter("skill", str, many=True),
    OpenApiParameter("language", str, description="ISO 639 codes.", many=True),
    OpenApiParameter("engagement", str, enum=Engagement.values, many=True),
    OpenApiParameter("project_holder", bool),
    CURSOR,
    LIMIT,
]


class MyProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProfileSerializer}, tags=["directory"])
    def get(self, request: Request) -> Response:
        return Response(queries.profile_json(queries.own_profile(me(request)), Relation.OWNER))

    @extend_schema(
        request=ProfileUpdateSerializer,
        responses={200: ProfileSerializer},
        tags=["directory"],
        description='Partial update, e.g. `{"city": "Rabat", "visibility": {"city": "private"}}`.',
    )
    def patch(self, request: Request) -> Response:
        user = me(request)
        profile = actions.do_update_profile(user, user, request.data)
        return Response(queries.profile_json(profile, Relation.OWNER))


class ProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProfileSerializer}, tags=["directory"])
    def get(self, request: Request, username: str) -> Response:
        profile = queries.profile_by_username(username)
        relation = queries.relation_to(request.user, profile.user_id)
        return Response(queries.profile_json(profile, relation))


class NetworkDirectoryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=DIRECTORY_PARAMETERS,
        responses={200: DirectoryPageSerializer},
        tags=["directory"],
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        page = queries.search_directory(
            request.user, request.query_params, network=network, limit=parse_limit(request)
        )
        return Response(page)


class DirectoryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=DIRECTORY_PARAMETERS,
        responses={200: DirectoryPageSerializer},
        tags=["directory"],
        description="Members of every network you may read.",
    )
    def get(self, request: Request) -> Response:
        page = queries.search_directory(
            request.user, request.query_params, network=None, limit=parse_limit(request)
        )
        return Response(page)
