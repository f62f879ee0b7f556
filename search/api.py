"""GET /api/v1/search/: every document type, filtered by what the caller may read."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CURSOR, LIMIT
from core.errors import InvalidInput
from core.pagination import decode_cursor, encode_cursor, parse_limit
from permissions import checks
from search import registry
from search.backends import run_search
from search.query import MAX_DEPTH, SearchQuery, Viewer, clean_offset, clean_q

if not apps.ready:
    # The schema lists the types the apps registered in their ready(): none yet.
    raise ImproperlyConfigured("search.api is imported before the apps are ready.")
TYPES = registry.names()


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(TYPES)
    id = serializers.IntegerField()
    network = serializers.CharField(allow_null=True, help_text="Network slug, when one applies.")
    title = serializers.CharField(required=False)
    snippet = serializers.CharField()
    url = serializers.CharField()


def search_everything(user: Any, params: Any, limit: int) -> dict[str, Any]:
    """Search one type or all of them; results merged by relevance, then by type order."""
    q = clean_q(params.get("q"))
    if not q:
        raise InvalidInput("invalid", "Type something to search for.", {"q": ["Required."]})
    wanted = params.get("type") or ""
    if wanted and wanted not in registry.names():
        raise InvalidInput(
            "invalid",
            f"type must be one of {', '.join(registry.names())}.",
            {"type": ["Unknown type."]},
        )
    viewer = Viewer.of(user)
    slug = params.get("network") or None
    scope = viewer.readable
    if slug is not None:
        network = checks.access_network_content(user, slug)
        scope = scope & {network.pk}
    cursor = params.get("cursor")
    offset = clean_offset(decode_cursor(cursor, 1)[0] if cursor else 0)
    types = [wanted] if wanted else registry.names()
    ranked: list[tuple[float, int, dict[str, Any]]] = []
    total = 0
    for order, name in enumerate(types):
        kind = registry.get(name)
        keys = scope if slug is not None else scope | kind.access_keys(viewer)
        query = SearchQuery(
            doc_type=name,
            q=q,
            network_ids=frozenset(keys),
            filters=_default_filters(kind, params),
            limit=offset + limit,
            offset=0,
        )
        result = run_search(query, viewer)
        total += result.estimated_total
        presented = kind.present(result.hits, slug, query.words)
        by_id = {item["id"]: item for item in presented}
        for hit in result.hits:
            if hit.object_id in by_id:
                ranked.append((-hit.score, order, by_id[hit.object_id]))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    page = [item for _score, _order, item in ranked[offset : offset + limit]]
    end = offset + limit
    more = len(ranked) > end and end < MAX_DEPTH
    return {
        "results": page,
        "estimated_total": total,
        "next": encode_cursor([end]) if more else None,
    }


def _default_filters(kind: registry.DocumentType, params: Any) -> dict[str, list[str]]:
    """The type's default filters, each replaced by what `?name=` asks (one of its values)."""
    filters = {}
    for name, default in kind.default_filters.items():
        asked = params.get(name)
        if asked and asked not in default.allowed:
            raise InvalidInput(
                "invalid",
                f"{name} must be one of {', '.join(default.allowed)}.",
                {name: ["Unknown value."]},
            )
        filters[name] = [asked] if asked else list(default.values)
    return filters


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="At most 200 characters."),
            OpenApiParameter("type", str, enum=TYPES),
            OpenApiParameter("network", str, description="A network slug."),
            OpenApiParameter(
                "status",
                str,
                description="Calls: open by default; closed, filled or cancelled ones with this.",
            ),
            CURSOR,
            LIMIT,
        ],
        responses={
            200: inline_serializer(
                name="SearchPage",
                fields={
                    "results": SearchResultSerializer(many=True),
                    "estimated_total": serializers.IntegerField(),
                    "next": serializers.CharField(allow_null=True),
                },
            )
        },
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        return Response(search_everything(request.user, request.query_params, parse_limit(request)))
