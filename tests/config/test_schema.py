"""The OpenAPI schema generates and validates; the community endpoints add no warnings."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def generated(urls: str) -> dict[str, Any]:
    """The schema of one app's endpoints, checked valid and free of warnings."""
    patterns = [path("api/v1/", include(urls))]
    GENERATOR_STATS.reset()

    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}
    validate_schema(schema)
    return dict(schema)


def test_community_endpoints_generate_a_valid_schema_without_warnings() -> None:
    schema = generated("community.urls")
    paths = schema["paths"]
    assert "/api/v1/networks/{slug}/members/{user_id}/{action}/" in paths
    assert paths["/api/v1/networks/"]["get"]["operationId"] == "networks_list"
    enums = schema["components"]["schemas"]
    assert enums["NetworkVisibilityEnum"]["enum"] == ["public", "private", "hidden"]


def test_the_served_schema_is_valid_openapi(client: Any) -> None:
    with GENERATOR_STATS.silence():
        response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["info"]["title"] == "Shabaka API"
    assert "/api/v1/auth/register/" in schema["paths"]


def test_the_docs_page_is_served(client: Any) -> None:
    assert client.get("/api/docs/").status_code == 200


def test_the_whole_api_generates_without_warnings_or_errors() -> None:
    """Every app's endpoints together: no enum or component-name collisions between apps."""
    GENERATOR_STATS.reset()

    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}
    validate_schema(schema)
    from directory.vocabulary import Sector

    assert schema["components"]["schemas"]["SectorEnum"]["enum"] == Sector.values


def test_every_operation_documents_the_contract_error_shape() -> None:
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)

    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "429"):
                body = operation["responses"][status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (route, method, status)
            if method in {"post", "patch", "put"}:
                assert "409" in operation["responses"] and "413" in operation["responses"]
