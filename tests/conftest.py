"""Personas shared by every test module (healthchecks' alice/bob, Zulip's hamlet/othello).

`owner`, `moderator`, `member`, `pending`, `banned` belong (in that role/status) to
every network made by the `network` fixtures; `outsider` belongs to none; `staff`
is a platform administrator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from community.models import Membership, Network
from core import budgets
from core import jobs as jobs_module
from realtime import sockets
from tests._smtp import SmtpSink
from tests.factories.directory import BACKENDS, SearchBackend, use_backend
from tests.factories.networks import add_member, make_network
from tests.factories.users import client_for, make_user

Role = Membership.Role
Status = Membership.Status


def clear_cache() -> None:
    """Empty this run's cache, and only it.

    On Redis, `cache.clear()` is FLUSHDB: it would also wipe the channel layer's
    groups and any other run sharing the server, so only keys under this run's
    CACHE_PREFIX are deleted there.
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    clear_cache()
    budgets.reset_all()
    sockets.reset_all()
    jobs_module.clear()
    yield
    clear_cache()
    budgets.reset_all()
    sockets.reset_all()
    jobs_module.clear()


@pytest.fixture
def jobs() -> Any:
    """core.jobs, whose queued jobs a test runs with `jobs.run_pending(now=…)`."""
    return jobs_module


@pytest.fixture
def smtp_sink(settings: Any) -> Any:
    """A real SMTP server (tests/_smtp.py) that Django's mail settings point at."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield sink


@pytest.fixture
def owner(db: Any) -> Any:
    return make_user("owner")


@pytest.fixture
def moderator(db: Any) -> Any:
    return make_user("moderator")


@pytest.fixture
def member(db: Any) -> Any:
    return make_user("member")


@pytest.fixture
def pending(db: Any) -> Any:
    return make_user("pending")


@pytest.fixture
def banned(db: Any) -> Any:
    return make_user("banned")


@pytest.fixture
def outsider(db: Any) -> Any:
    return make_user("outsider")


@pytest.fixture
def staff(db: Any) -> Any:
    return make_user("staff", staff=True)


@pytest.fixture
def make_populated_network(
    owner: Any, moderator: Any, member: Any, pending: Any, banned: Any
) -> Callable[..., Network]:
    """Build a network holding every persona in its role and status."""

    def build(**fields: Any) -> Network:
        network = make_network(owner, **fields)
        add_member(network, moderator, Role.MODERATOR)
        add_member(network, member, Role.MEMBER)
        add_member(network, pending, Role.MEMBER, Status.PENDING)
        add_member(network, banned, Role.MEMBER, Status.BANNED)
        return network

    return build


@pytest.fixture
def public_network(make_populated_network: Callable[..., Network]) -> Network:
    return make_populated_network(
        name="Germany",
        slug="germany",
        kind=Network.Kind.GEOGRAPHIC,
        country="DE",
        theme="",
        description="Moroccan professionals living in Germany.",
        visibility=Network.Visibility.PUBLIC,
    )


@pytest.fixture
def private_network(make_populated_network: Callable[..., Network]) -> Network:
    return make_populated_network(
        name="Medical network",
        slug="medical",
        description="Médecins marocains du monde: confidential case discussions.",
        visibility=Network.Visibility.PRIVATE,
        join_policy=Network.JoinPolicy.APPROVAL,
    )


@pytest.fixture
def hidden_network(make_populated_network: Callable[..., Network]) -> Network:
    return make_populated_network(
        name="Lawyers abroad",
        slug="lawyers",
        description="Moroccan lawyers abroad: a closed circle.",
        visibility=Network.Visibility.HIDDEN,
        join_policy=Network.JoinPolicy.INVITE,
    )


@pytest.fixture
def co_owner(public_network: Network) -> Any:
    """A second owner of `public_network` (owners may not act on each other's words)."""
    user = make_user("coowner")
    add_member(public_network, user, Role.OWNER)
    return user


@pytest.fixture
def second_moderator(public_network: Network) -> Any:
    """A second moderator of `public_network`."""
    user = make_user("secondmod")
    add_member(public_network, user, Role.MODERATOR)
    return user


PERSONAS = ["owner", "moderator", "member", "pending", "banned", "outsider", "staff", "anonymous"]


@pytest.fixture
def persona(request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """persona("member") → that user (None for "anonymous")."""

    def get(name: str) -> Any:
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.fixture
def api() -> Callable[[Any], Any]:
    return client_for


@pytest.fixture
def personas(
    owner: Any, moderator: Any, member: Any, pending: Any, banned: Any, outsider: Any, staff: Any
) -> dict[str, Any]:
    """Every signed-in persona by name, created before an async test starts."""
    return {
        "owner": owner,
        "moderator": moderator,
        "member": member,
        "pending": pending,
        "banned": banned,
        "outsider": outsider,
        "staff": staff,
    }


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    """connect(user) → a websocket client of the real application (tests/_ws.py); every
    socket, the test's channel layer and the consumers' connections are closed after."""
    from tests._ws import open_clients  # the ASGI application, loaded only where used

    async with open_clients() as open_:
        yield open_


# --- search backends (tests/factories/directory.py) -------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, settings: Any, db: Any) -> SearchBackend:
    """Each search test twice: on the database backend, and on Meilisearch (services pass)."""
    return use_backend(request.param, settings)


@pytest.fixture
def database_only(settings: Any, db: Any) -> SearchBackend:
    return use_backend("database", settings)


@pytest.fixture
def backend_meilisearch(settings: Any, db: Any) -> SearchBackend:
    return use_backend("meilisearch", settings)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `services` run only in the real-services pass of `make test`."""
    import os

    if os.environ.get("SHABAKA_SERVICES") == "1":
        return
    skip = pytest.mark.skip(reason="needs the real services (second pass of make test)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)
