from __future__ import annotations

from typing import Any

import pytest

from tests.factories.directory import BACKENDS, SearchBackend, use_backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, settings: Any, db: Any) -> SearchBackend:
    return use_backend(request.param, settings)


@pytest.fixture
def database_only(settings: Any, db: Any) -> SearchBackend:
    return use_backend("database", settings)


@pytest.fixture
def backend_meilisearch(settings: Any, db: Any) -> SearchBackend:
    return use_backend("meilisearch", settings)
