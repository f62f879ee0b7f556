"""Every endpoint of the OpenAPI schema, fuzzed by schemathesis as a signed-in member.

For each operation schemathesis draws a bounded number of requests from the schema
(valid and invalid bodies, odd query strings, Unicode, huge numbers). Path
parameters are steered towards objects that exist — the member's own network, a
private network they belong to, a hidden one they do not, real rooms, topics,
posts, messages and users — so requests reach the code behind the 404, not only
the router. Every answer must:

- never be a 5xx;
- if it is a success, have a status the schema documents and a body that matches
  the documented schema (schemathesis' response checks);
- if it is an error, carry the contract's error shape `{"error": {code, message,
  fields}}` with a JSON content type.

The run is derandomized (the same examples every run, so CI is repeatable) and
bounded by HOSTILE_EXAMPLES examples per operation (default 12).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.hostile.world import World

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))


def _generated_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


# Fuzzing only: the coverage and examples phases are not bounded by max_examples and
# would take minutes; the fuzzing phase draws valid and invalid requests alike.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
            "fuzzing": {"enabled": True},
        },
        "generation": {"mode": "all"},
    }
)
schema = schemathesis.openapi.from_dict(_generated_schema(), config=CONFIG)


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI handler, without closing the test's connection between requests.

    The Django test client does the same: otherwise `close_old_connections` on
    request_started would mark the test transaction for rollback.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass
class Steering:
    """Maps generated path parameters onto real objects, keeping some as generated."""

    world: World
    choices: dict[str, list[Any]] = field(init=False)

    def __post_init__(self) -> None:
        w = self.world
        self.choices = {
            "slug": w.slugs,
            "category_id": w.category_ids,
            "topic_id": w.topic_ids,
            "post_id": w.post_ids,
            "room_id": w.room_ids,
            "message_id": w.message_ids,
            "user_id": w.user_ids,
            "invitation_id": w.invitation_ids,
            "username": w.usernames,
        }

    def steer(self, parameters: dict[str, Any]) -> dict[str, Any]:
        steered = dict(parameters)
        for name, value in parameters.items():
            pool = self.choices.get(name) or []
            if not pool:
                continue
            # A stable choice from the generated value: 1 in 5 stays as generated.
            pick = zlib.crc32(repr(value).encode()) % (len(pool) + 1 + len(pool) // 4)
            if pick < len(pool):
                steered[name] = pool[pick]
        return steered


def error_shape(response: Any) -> str | None:
    """None when an error response carries the contract's error shape, else what is wrong."""
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        return f"content type {content_type!r}"
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"body {response.text[:200]!r}"
    if not isinstance(error, dict) or not {"code", "message", "fields"} <= error.keys():
        return f"error object {error!r}"
    if not isinstance(error["code"], str) or not isinstance(error["fields"], dict):
        return f"error object {error!r}"
    return None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_endpoint_answers_a_member_without_5xx_and_within_its_schema(
    case: Any, wsgi_app: Any, world: World
) -> None:
    case.path_parameters = Steering(world).steer(case.path_parameters or {})
    response = case.call(app=wsgi_app, headers={"Authorization": f"Token {world.member_token}"})
    if response.status_code >= 400:
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        problem = error_shape(response)
        assert problem is None, f"{case.method} {case.formatted_path} {response.status_code}: " + (
            problem or ""
        )
        return
    case.validate_response(
        response,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
    documented = {str(code) for code in case.operation.definition.raw.get("responses", {})}
    assert str(response.status_code) in documented or "default" in documented, (
        f"{case.method} {case.formatted_path} answered {response.status_code}, "
        f"the schema documents {sorted(documented)}"
    )
