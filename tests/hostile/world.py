"""A small world for the hostile suite, built through the public API as its owners would.

Four networks, one owner:

| network | visibility | active members | others |
|---|---|---|---|
| germany | public (open) | owner, member | — |
| medical | private (approval) | owner, member | pending (join request), banned |
| lawyers | hidden (invite) | owner | — |
| canada | public (open) | owner, stranger | — |

`outsider` belongs to no network. Each network holds a category, a topic with a
reply, a room with two messages (one with a reaction) and an invitation, all made by
the owner through the REST endpoints of CONTRACT.md, so the world does not depend on
any app's internals. Every text of a network carries its `marker` (e.g.
`zqmedical3`): a response that contains the marker of a network the asker may not
read is a leak. There is also a direct room between owner and member, and member's
profile holds a members-only city (`secret_city`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import TestCase
from rest_framework.test import APIClient

from community.models import Membership, Network
from tests.factories.networks import add_member, make_network
from tests.factories.users import make_user, token_for

_unique = itertools.count(1)

PERSONAS = ["owner", "member", "stranger", "outsider", "pending", "banned"]
KINDS = ["category", "topic", "post", "room", "message", "invitation"]


@dataclass
class Content:
    """The ids of what one network holds, by kind."""

    slug: str
    marker: str
    visibility: str
    ids: dict[str, list[int]] = field(default_factory=lambda: {kind: [] for kind in KINDS})


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    networks: dict[str, Content]  # by base name: germany, medical, lawyers, canada
    direct_room: int | None
    direct_message: int | None
    secret_city: str
    direct_marker: str

    @property
    def member_token(self) -> str:
        return self.tokens["member"]

    def all_ids(self, kind: str) -> list[int]:
        return [i for content in self.networks.values() for i in content.ids[kind]]

    @property
    def slugs(self) -> list[str]:
        return [content.slug for content in self.networks.values()]

    @property
    def category_ids(self) -> list[int]:
        return self.all_ids("category")

    @property
    def topic_ids(self) -> list[int]:
        return self.all_ids("topic")

    @property
    def post_ids(self) -> list[int]:
        return self.all_ids("post")

    @property
    def room_ids(self) -> list[int]:
        return self.all_ids("room") + ([self.direct_room] if self.direct_room else [])

    @property
    def message_ids(self) -> list[int]:
        return self.all_ids("message") + ([self.direct_message] if self.direct_message else [])

    @property
    def invitation_ids(self) -> list[int]:
        return self.all_ids("invitation")

    @property
    def user_ids(self) -> list[int]:
        return [user.pk for user in self.users.values()]

    @property
    def usernames(self) -> list[str]:
        return [user.username for user in self.users.values()]


def client(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def _created(call: Callable[[], Any], what: str) -> dict[str, Any]:
    """Make one request as its own "commit": inside a test transaction nothing commits,
    so the on-commit work (access-cache invalidation, events) runs right after it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = call()
    assert response.status_code in (200, 201, 204), f"could not create {what}: {response.content!r}"
    return response.json() if response.content else {}  # type: ignore[no-any-return]


def fill(api: APIClient, content: Content) -> None:
    """A category, topic + reply, room + two messages (one reacted to), an invitation."""
    slug, mark, ids = content.slug, content.marker, content.ids
    category = _created(
        lambda: api.post(
            f"/api/v1/networks/{slug}/categories/",
            {"name": f"General {mark}", "slug": f"general-{mark}"},
            format="json",
        ),
        "a category",
    )
    ids["category"].append(category["id"])
    topic = _created(
        lambda: api.post(
            f"/api/v1/networks/{slug}/categories/{category['id']}/topics/",
            {"title": f"Welcome {mark}", "body": f"Opening post {mark}."},
            format="json",
        ),
        "a topic",
    )
    ids["topic"].append(topic["id"])
    if isinstance(topic.get("first_post"), dict):
        ids["post"].append(topic["first_post"]["id"])
    reply = _created(
        lambda: api.post(
            f"/api/v1/topics/{topic['id']}/posts/", {"body": f"Reply {mark}."}, format="json"
        ),
        "a reply",
    )
    ids["post"].append(reply["id"])
    room = _created(
        lambda: api.post(
            f"/api/v1/networks/{slug}/rooms/", {"name": f"lobby {mark}"}, format="json"
        ),
        "a room",
    )
    ids["room"].append(room["id"])
    for i in range(2):
        message = _created(
            lambda i=i: api.post(
                f"/api/v1/rooms/{room['id']}/messages/",
                {"body": f"Message {i} {mark}.", "client_id": f"{mark}-{i}"},
                format="json",
            ),
            "a message",
        )
        ids["message"].append(message["id"])
    _created(
        lambda: api.post(
            f"/api/v1/messages/{ids['message'][0]}/reactions/", {"emoji": "👍"}, format="json"
        ),
        "a reaction",
    )
    invitation = _created(
        lambda: api.post(f"/api/v1/networks/{slug}/invitations/", {"max_uses": 3}, format="json"),
        "an invitation",
    )
    if "id" in invitation:
        ids["invitation"].append(invitation["id"])


def exists(world: World | None) -> bool:
    """Whether the world's rows are still there (a transactional test flushes them)."""
    from django.contrib.auth import get_user_model

    return world is not None and (
        get_user_model().objects.filter(pk=world.users["owner"].pk).exists()
    )


def build_world() -> World:
    n = next(_unique)
    users = {name: make_user(f"w{n}{name}") for name in PERSONAS}
    tokens = {name: token_for(user) for name, user in users.items()}
    V, J, R, S = Network.Visibility, Network.JoinPolicy, Membership.Role, Membership.Status
    specs = {
        "germany": (V.PUBLIC, J.OPEN, [("member", S.ACTIVE)]),
        "medical": (
            V.PRIVATE,
            J.APPROVAL,
            [("member", S.ACTIVE), ("pending", S.PENDING), ("banned", S.BANNED)],
        ),
        "lawyers": (V.HIDDEN, J.INVITE, []),
        "canada": (V.PUBLIC, J.OPEN, [("stranger", S.ACTIVE)]),
    }
    owner_api = client(tokens["owner"])
    networks: dict[str, Content] = {}
    for base, (visibility, policy, members) in specs.items():
        content = Content(slug=f"{base}-{n}", marker=f"zq{base}{n}", visibility=visibility)
        with TestCase.captureOnCommitCallbacks(execute=True):
            make_network(
                users["owner"],
                name=f"{base.title()} {n}",
                slug=content.slug,
                visibility=visibility,
                join_policy=policy,
            )
        fill(owner_api, content)  # before the others join: banned/pending see nothing made
        with TestCase.captureOnCommitCallbacks(execute=True):
            network = Network.objects.get(slug=content.slug)
            for name, status in members:
                add_member(network, users[name], R.MEMBER, status)
        networks[base] = content

    direct = _created(
        lambda: owner_api.post("/api/v1/direct/", {"user_id": users["member"].pk}, format="json"),
        "a direct room",
    )
    direct_message = _created(
        lambda: owner_api.post(
            f"/api/v1/rooms/{direct['id']}/messages/",
            {"body": f"Direct zqdirect{n}.", "client_id": f"direct-{n}"},
            format="json",
        ),
        "a direct message",
    )
    secret_city = f"Zqcity{n}"
    _created(
        lambda: client(tokens["member"]).patch(
            "/api/v1/profile/",
            {"city": secret_city, "visibility": {"city": "members"}},
            format="json",
        ),
        "a members-only city",
    )
    return World(
        users, tokens, networks, direct["id"], direct_message["id"], secret_city, f"zqdirect{n}"
    )
