"""What every REST view shares: the signed-in user, parsing a body, ids in paths, and
the OpenAPI shape of a keyset page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from core.errors import InvalidInput, NotFound


def page(serializer_cls: type[serializers.Serializer], name: str) -> Any:
    """OpenAPI shape of a keyset page of `serializer_cls`."""
    return inline_serializer(
        name=name,
        fields={
            "results": serializer_cls(many=True),
            "next": serializers.CharField(allow_null=True),
        },
    )


def me(request: Request | HttpRequest) -> User:
    """The signed-in user of a view that requires one (an API view's permission, a page's
    `core.web.signed_in`); anyone else is refused as not authenticated."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def json_object(request: Request) -> Any:
    """The body, refused unless it is a JSON object (or form data): for `parse`, and for
    views whose action checks the fields itself."""
    if not isinstance(request.data, dict):
        raise InvalidInput("invalid", "Send a JSON object.")
    return request.data


def parse(
    serializer_cls: type[serializers.Serializer], request: Request, **kwargs: Any
) -> dict[str, Any]:
    serializer = serializer_cls(data=json_object(request), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def check_id(value: int) -> None:
    """Ids in URLs are 64-bit keys: a longer run of digits names nothing (and must not
    reach the database, which would fail on it rather than find nothing)."""
    if not 0 < value < 2**63:
        raise NotFound()


def parse_empty(request: Request) -> None:
    """Endpoints without a body still refuse a malformed one rather than act on it."""
    if request.data and not isinstance(request.data, dict):
        raise InvalidInput("invalid", "Send a JSON object.")


CURSOR = OpenApiParameter("cursor", str, description="The `next` value of the previous page.")
LIMIT = OpenApiParameter("limit", int, description="Page size, 1–200 (default 50).")
