"""REST views for profiles and the directory. Each parses, calls one action or query, answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CURSOR, LIMIT, me
from core.errors import InvalidInput
from core.pagination import parse_limit
from directory import actions, queries
from directory.models import Relation
from directory.serializers import (
    DirectoryPageSerializer,
    PhotoUploadSerializer,
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


class MyPhotoView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={200: ProfileSerializer},
        tags=["directory"],
        description=(
            "Set your photo: a `photo` file, JPEG, PNG or WebP of at most 5 MB and 40 million "
            "pixels. It is cropped square, re-encoded as WebP at 48, 96 and 256 pixels, and "
            "keeps none of the file's metadata (EXIF, GPS position). A file that is not the "
            "image its type says is refused (400 `type_mismatch`)."
        ),
    )
    def put(self, request: Request) -> Response:
        upload = request.FILES.get("photo")
        if upload is None:
            message = "Send the image as a `photo` file."
            raise InvalidInput("invalid", message, {"photo": [message]})
        profile = actions.do_set_photo(me(request), upload)
        return Response(queries.profile_json(profile, Relation.OWNER))

    post = put

    @extend_schema(responses={204: None}, tags=["directory"], description="Back to initials.")
    def delete(self, request: Request) -> Response:
        actions.do_remove_photo(me(request))
        return Response(status=204)


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
