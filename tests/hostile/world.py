"""A small world for the hostile suite, built through the public API as its owners would.

Four networks, one owner:

| network | visibility | member | stranger | outsider |
|---|---|---|---|---|
| germany | public (open) | member | — | — |
| medical | private (approval) | member | — | — |
| lawyers | hidden (invite) | — | — | — |
| canada | public (open) | — | member | — |

Each of germany, medical, lawyers and canada holds a category, a topic with a reply,
a room with two messages and an invitation, all made by the owner through the REST
endpoints of CONTRACT.md (so the world does not depend on any app's internals).
`member` belongs to germany and medical, `stranger` only to canada, `outsider` to none.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from community.models import Membership, Network
from tests.factories.networks import add_member, make_network
from tests.factories.users import make_user

_unique = itertools.count(1)


@dataclass
class Content:
    """The ids of what one network holds."""

    slug: str
    category_ids: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)
    room_ids: list[int] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    invitation_ids: list[int] = field(default_factory=list)


@dataclass
class World:
    owner: Any
    member: Any
    stranger: Any
    outsider: Any
    tokens: dict[str, str]
    networks: dict[str, Content]

    @property
    def member_token(self) -> str:
        return self.tokens["member"]

    def _all(self, attribute: str) -> list[int]:
        return [i for content in self.networks.values() for i in getattr(content, attribute)]

    @property
    def slugs(self) -> list[str]:
        return list(self.networks)

    @property
    def category_ids(self) -> list[int]:
        return self._all("category_ids")

    @property
    def topic_ids(self) -> list[int]:
        return self._all("topic_ids")

    @property
    def post_ids(self) -> list[int]:
        return self._all("post_ids")

    @property
    def room_ids(self) -> list[int]:
        return self._all("room_ids")

    @property
    def message_ids(self) -> list[int]:
        return self._all("message_ids")

    @property
    def invitation_ids(self) -> list[int]:
        return self._all("invitation_ids")

    @property
    def user_ids(self) -> list[int]:
        return [u.pk for u in (self.owner, self.member, self.stranger, self.outsider)]

    @property
    def usernames(self) -> list[str]:
        return [u.username for u in (self.owner, self.member, self.stranger, self.outsider)]


def client(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def _created(call: Callable[[], Any], what: str) -> dict[str, Any]:
    """Make one request as its own "commit": inside a test transaction nothing commits,
    so the on-commit work (access-cache invalidation, events) runs right after it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = call()
    assert response.status_code in (200, 201), f"could not create {what}: {response.content!r}"
    return response.json()  # type: ignore[no-any-return]


def fill(api: APIClient, slug: str) -> Content:
    """A category, topic + reply, room + two messages and an invitation in the network."""
    n = next(_unique)
    content = Content(slug)
    category = _created(
        lambda: api.post(
            f"/api/v1/networks/{slug}/categories/",
            {"name": f"General {n}", "slug": f"general-{n}"},
            format="json",
        ),
        "a category",
    )
    content.category_ids.append(category["id"])
    topic = _created(
        lambda: api.post(
            f"/api/v1/networks/{slug}/categories/{category['id']}/topics/",
            {"title": f"Welcome to {slug}", "body": f"Secret opening post of {slug}."},
            format="json",
        ),
        "a topic",
    )
    content.topic_ids.append(topic["id"])
    if isinstance(topic.get("first_post"), dict):
        content.post_ids.append(topic["first_post"]["id"])
    reply = _created(
        lambda: api.post(
            f"/api/v1/topics/{topic['id']}/posts/", {"body": f"Reply in {slug}."}, format="json"
        ),
        "a reply",
    )
    content.post_ids.append(reply["id"])
    room = _created(
        lambda: api.post(f"/api/v1/networks/{slug}/rooms/", {"name": f"lobby-{n}"}, format="json"),
        "a room",
    )
    content.room_ids.append(room["id"])
    for i in range(2):
        message = _created(
            lambda i=i: api.post(
                f"/api/v1/rooms/{room['id']}/messages/",
                {"body": f"Secret message {i} of {slug}.", "client_id": f"w{n}-{i}"},
                format="json",
            ),
            "a message",
        )
        content.message_ids.append(message["id"])
    invitation = _created(
        lambda: api.post(f"/api/v1/networks/{slug}/invitations/", {"max_uses": 3}, format="json"),
        "an invitation",
    )
    if "id" in invitation:
        content.invitation_ids.append(invitation["id"])
    return content


def world_fixture() -> Any:
    """A module-scoped `world` fixture: built and committed once, wiped after the module.

    Each test still runs in its own transaction (the `db` fixture) that rolls back, so
    what one test changes is gone for the next, while the world itself stays.
    """

    @pytest.fixture(scope="module")
    def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
        with django_db_blocker.unblock():
            built = build_world()
            try:
                yield built
            finally:
                call_command("flush", interactive=False, verbosity=0)
                cache.clear()

    return world


def build_world() -> World:
    n = next(_unique)
    owner = make_user(f"w{n}owner")
    member = make_user(f"w{n}member")
    stranger = make_user(f"w{n}stranger")
    outsider = make_user(f"w{n}outsider")
    tokens = {
        name: Token.objects.create(user=user).key
        for name, user in [
            ("owner", owner),
            ("member", member),
            ("stranger", stranger),
            ("outsider", outsider),
        ]
    }
    specs = {
        "germany": (Network.Visibility.PUBLIC, Network.JoinPolicy.OPEN, [member]),
        "medical": (Network.Visibility.PRIVATE, Network.JoinPolicy.APPROVAL, [member]),
        "lawyers": (Network.Visibility.HIDDEN, Network.JoinPolicy.INVITE, []),
        "canada": (Network.Visibility.PUBLIC, Network.JoinPolicy.OPEN, [stranger]),
    }
    api = client(tokens["owner"])
    networks: dict[str, Content] = {}
    for base, (visibility, policy, members) in specs.items():
        slug = f"{base}-{n}"
        with TestCase.captureOnCommitCallbacks(execute=True):
            network = make_network(
                owner,
                name=f"{base.title()} {n}",
                slug=slug,
                visibility=visibility,
                join_policy=policy,
            )
            for user in members:
                add_member(network, user, Membership.Role.MEMBER)
        networks[slug] = fill(api, slug)
    return World(owner, member, stranger, outsider, tokens, networks)
