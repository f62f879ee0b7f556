"""The notification endpoints' OpenAPI schema generates, validates and warns of nothing."""

from __future__ import annotations

import pytest

from tests.config.test_schema import generated

pytestmark = pytest.mark.django_db


def test_notification_endpoints_schema() -> None:
    schema = generated("notifications.urls")
    paths = schema["paths"]
    assert {"/api/v1/notifications/", "/api/v1/notifications/unread-count/"} <= set(paths)
    assert "204" in paths["/api/v1/notifications/read/"]["post"]["responses"]
    page = schema["components"]["schemas"]["NotificationPage"]
    assert set(page["properties"]) == {"results", "next"}
