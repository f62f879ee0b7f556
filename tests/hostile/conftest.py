"""Fixtures of the hostile-input suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from asgiref.sync import sync_to_async
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_async_connections() -> AsyncIterator[None]:
    """Close the connections the ORM opened in sync_to_async's thread during an async test.

    Otherwise they outlive the test and PostgreSQL refuses to drop the test database.
    """
    yield
    await sync_to_async(connections.close_all)()
