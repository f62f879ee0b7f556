"""Fixtures of the hostile-input suite: one shared world per test module.

`world` is built once per module through the public API and committed, so a test
using the `db` fixture (a transaction rolled back afterwards) leaves it intact for
the next. `live_world` is for transactional tests, whose code reads through its own
connections (websocket consumers): it opens the database to them, and since a
transactional test flushes the database at its end, the next test finds the world
gone and gets it rebuilt. Put transactional tests last in a module to build once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from tests.hostile.world import World, build_world, exists


@pytest.fixture(autouse=True)
async def _close_async_connections() -> AsyncIterator[None]:
    """Close the connections the ORM opened in sync_to_async's thread during an async test.

    Otherwise they outlive the test and PostgreSQL refuses to drop the test database.
    """
    yield
    await sync_to_async(connections.close_all)()


T = TypeVar("T")


class BackgroundLoop:
    """One event loop in a thread for a whole test, as daphne has one for its lifetime.

    Tests that drive the real application many times (hypothesis examples) run each
    round here instead of in a fresh loop per round: the process-wide channel layer and
    the chat hub live on a loop, and a fresh loop per round leaves the previous ones'
    tasks behind to be cancelled at shutdown. Every round has a timeout, so a stuck
    round fails instead of hanging the suite.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 90) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def background_loop() -> Iterator[BackgroundLoop]:
    loop = BackgroundLoop()
    try:
        yield loop
    finally:
        loop.stop()


@pytest.fixture(scope="module")
def world_store(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, World]]:
    store: dict[str, World] = {}
    yield store
    if store:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()


def _ensure(store: dict[str, World]) -> World:
    if not exists(store.get("world")):
        cache.clear()
        store["world"] = build_world()
    return store["world"]


@pytest.fixture(scope="module")
def _module_world(world_store: dict[str, World], django_db_blocker: Any) -> World:
    """Built before any test's transaction opens (module fixtures come first)."""
    with django_db_blocker.unblock():
        return _ensure(world_store)


@pytest.fixture
def world(_module_world: World, world_store: dict[str, World], django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return _ensure(world_store)


@pytest.fixture
def live_world(world: World, django_db_blocker: Any) -> Iterator[World]:
    """The committed world, open to the database connections of code under test."""
    with django_db_blocker.unblock():
        yield world
