"""The forum endpoints are described in the OpenAPI schema, as CONTRACT.md lists them."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

EXPECTED = {
    "/api/v1/networks/{slug}/categories/": {"get", "post"},
    "/api/v1/networks/{slug}/categories/{category_id}/topics/": {"get", "post"},
    "/api/v1/topics/{topic_id}/": {"get", "patch", "delete"},
    "/api/v1/topics/{topic_id}/restore/": {"post"},
    "/api/v1/topics/{topic_id}/posts/": {"get", "post"},
    "/api/v1/posts/{post_id}/": {"get", "patch", "delete"},
    "/api/v1/posts/{post_id}/restore/": {"post"},
    "/api/v1/posts/{post_id}/revisions/": {"get"},
    "/api/v1/posts/{post_id}/reactions/": {"post", "delete"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_forum_endpoint_is_documented(schema):
    for path, methods in EXPECTED.items():
        assert path in schema["paths"], path
        assert set(schema["paths"][path]) - {"parameters"} == methods, path
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["tags"] == ["forums"]
            assert operation.get("summary"), (path, method)


def test_post_lists_document_after_and_the_post_shape(schema):
    operation = schema["paths"]["/api/v1/topics/{topic_id}/posts/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"after", "cursor", "limit"}
    post = schema["components"]["schemas"]["Post"]["properties"]
    assert {"body", "body_html", "deleted", "edited_at", "reactions", "reply_to"} <= set(post)
