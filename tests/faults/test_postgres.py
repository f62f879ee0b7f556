"""PostgreSQL connections dropped under a running server: the next requests reconnect.

The worker keeps persistent connections (CONN_MAX_AGE) with health checks; when an
administrator or a failover terminates them, the next request must notice, open a
new connection and answer normally, never with a 500 page or a stack trace.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.services

PATHS = [
    "/healthz",
    "/api/v1/networks/",
    "/api/v1/networks/germany/",
    "/api/v1/networks/germany/members/",
    "/networks/",
    "/networks/germany/",
]


def terminate_test_database_backends() -> int:
    """Terminate every backend of *this test's* database except our own connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def assert_served(worker: Any, token: str) -> None:
    for path in PATHS:
        status, body = worker.get(path, token)
        assert status == 200, (path, status, body[:500])
        assert b"Traceback" not in body and b"OperationalError" not in body, (path, body[:500])
        if path.startswith(("/api/", "/healthz")):
            json.loads(body)


def test_requests_succeed_after_the_workers_database_connections_are_terminated(
    daphne_workers: Any, member: Any, public_network: Any
) -> None:
    token = Token.objects.create(user=member).key
    worker = daphne_workers()
    assert_served(worker, token)  # the worker now holds persistent connections

    for _ in range(2):  # twice: the replacement connections are dropped as well
        assert terminate_test_database_backends() >= 1
        assert_served(worker, token)

    status, body = worker.get("/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"
    assert "Traceback" not in worker.log(), worker.log()[-3000:]
    assert worker.alive
