"""Every networks/membership endpoint × every persona × public/private/hidden networks.

The tables below are the access rules of CONTRACT.md written out status by status,
one column per persona. A 404 must be indistinguishable from a network that does
not exist, and no refusal may carry the network's name or description.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from community.models import Invitation, Membership, Network
from tests.community.helpers import assert_error
from tests.conftest import PERSONAS
from tests.factories.networks import add_member

pytestmark = pytest.mark.django_db

NETWORK_FIXTURES = {
    "public": "public_network",
    "private": "private_network",
    "hidden": "hidden_network",
}


def row(*statuses: int) -> dict[str, int]:
    """One status per persona, in PERSONAS order."""
    assert len(statuses) == len(PERSONAS)
    return dict(zip(PERSONAS, statuses, strict=True))


#                     owner mod  member pending banned outsider staff anon
MODERATORS_ONLY = {
    "public": row(200, 200, 403, 403, 403, 403, 200, 401),
    "private": row(200, 200, 403, 403, 403, 403, 200, 401),
    "hidden": row(200, 200, 403, 404, 404, 404, 200, 401),
}
MODERATORS_CREATE = {
    vis: {p: 201 if s == 200 else s for p, s in table.items()}
    for vis, table in MODERATORS_ONLY.items()
}
OWNERS_ONLY = {
    "public": row(200, 403, 403, 403, 403, 403, 200, 401),
    "private": row(200, 403, 403, 403, 403, 403, 200, 401),
    "hidden": row(200, 403, 403, 404, 404, 404, 200, 401),
}


@dataclass
class Endpoint:
    method: str
    path: str  # {slug}, {target}, {invitation} are filled in per test
    expected: dict[str, dict[str, int]]
    body: dict[str, Any] | None = None
    target: str | None = None  # persona whose user id fills {target}
    prepare: Callable[[Network, Callable[[str], Any]], None] | None = field(default=None)


def _mute_member(network: Network, persona: Callable[[str], Any]) -> None:
    add_member(network, persona("member"), muted_until=timezone.now() + dt.timedelta(hours=1))


def _add_invitation(network: Network, persona: Callable[[str], Any]) -> None:
    Invitation.objects.create(network=network, created_by=persona("owner"))


ENDPOINTS: dict[str, Endpoint] = {
    "detail": Endpoint(
        "get",
        "/api/v1/networks/{slug}/",
        {
            "public": row(200, 200, 200, 200, 200, 200, 200, 200),
            "private": row(200, 200, 200, 200, 200, 200, 200, 200),
            "hidden": row(200, 200, 200, 404, 404, 404, 200, 404),
        },
    ),
    "edit": Endpoint("patch", "/api/v1/networks/{slug}/", OWNERS_ONLY, {"description": "New"}),
    "join": Endpoint(
        "post",
        "/api/v1/networks/{slug}/join/",
        {
            # open: already in (409), pending (409), banned (403), newcomers join (200)
            "public": row(409, 409, 409, 409, 403, 200, 200, 401),
            # approval: newcomers get a pending request (200)
            "private": row(409, 409, 409, 409, 403, 200, 200, 401),
            # invite: staff can see it but needs an invitation (403); others cannot see it
            "hidden": row(409, 409, 409, 404, 404, 404, 403, 401),
        },
        {"message": "Salam"},
    ),
    "leave": Endpoint(
        "post",
        "/api/v1/networks/{slug}/leave/",
        {
            # the last owner cannot leave; a pending request is withdrawn; others are not in
            "public": row(409, 200, 200, 200, 409, 409, 409, 401),
            "private": row(409, 200, 200, 200, 409, 409, 409, 401),
            "hidden": row(409, 200, 200, 404, 404, 404, 409, 401),
        },
    ),
    "members": Endpoint(
        "get",
        "/api/v1/networks/{slug}/members/",
        {
            # public: visible but members only (403); private content looks missing (404)
            "public": row(200, 200, 200, 403, 403, 403, 200, 401),
            "private": row(200, 200, 200, 404, 404, 404, 200, 401),
            "hidden": row(200, 200, 200, 404, 404, 404, 200, 401),
        },
    ),
    "approve": Endpoint(
        "post", "/api/v1/networks/{slug}/members/{target}/approve/", MODERATORS_ONLY, {}, "pending"
    ),
    "reject": Endpoint(
        "post",
        "/api/v1/networks/{slug}/members/{target}/reject/",
        MODERATORS_ONLY,
        {"reason": "Not a lawyer"},
        "pending",
    ),
    "ban": Endpoint(
        "post",
        "/api/v1/networks/{slug}/members/{target}/ban/",
        MODERATORS_ONLY,
        {"reason": "Spam"},
        "member",
    ),
    "unban": Endpoint(
        "post", "/api/v1/networks/{slug}/members/{target}/unban/", MODERATORS_ONLY, {}, "banned"
    ),
    "mute": Endpoint(
        "post",
        "/api/v1/networks/{slug}/members/{target}/mute/",
        MODERATORS_ONLY,
        {"minutes": 30, "reason": "Cool down"},
        "member",
    ),
    "unmute": Endpoint(
        "post",
        "/api/v1/networks/{slug}/members/{target}/unmute/",
        MODERATORS_ONLY,
        {},
        "member",
        _mute_member,
    ),
    "remove": Endpoint(
        "post", "/api/v1/networks/{slug}/members/{target}/remove/", MODERATORS_ONLY, {}, "member"
    ),
    "set-role": Endpoint(
        "post",
        "/api/v1/networks/{slug}/members/{target}/set-role/",
        OWNERS_ONLY,
        {"role": "moderator"},
        "member",
    ),
    "invitations-list": Endpoint("get", "/api/v1/networks/{slug}/invitations/", MODERATORS_ONLY),
    "invitations-create": Endpoint(
        "post", "/api/v1/networks/{slug}/invitations/", MODERATORS_CREATE, {"max_uses": 5}
    ),
    "invitations-revoke": Endpoint(
        "delete",
        "/api/v1/networks/{slug}/invitations/{invitation}/",
        MODERATORS_ONLY,
        prepare=_add_invitation,
    ),
    "audit-log": Endpoint("get", "/api/v1/networks/{slug}/audit-log/", MODERATORS_ONLY),
}

CASES = [
    pytest.param(name, visibility, id=f"{name}-{visibility}")
    for name in ENDPOINTS
    for visibility in NETWORK_FIXTURES
]


class _Undo(Exception):
    """Raised to roll one persona's call back, so the next persona meets the same state."""


def _call(client: Any, endpoint: Endpoint, path: str) -> Any:
    method = getattr(client, endpoint.method)
    if endpoint.method == "get":
        return method(path)
    return method(path, endpoint.body or {}, format="json")


def _status_for(
    who: str, endpoint: Endpoint, network: Network, persona: Callable[[str], Any], api: Any
) -> int:
    """One persona's call, checked for leaks; its writes are rolled back afterwards."""
    status = 0
    try:
        with transaction.atomic():
            if endpoint.prepare is not None:
                endpoint.prepare(network, persona)
            values = {"slug": network.slug}
            if endpoint.target is not None:
                values["target"] = str(persona(endpoint.target).pk)
            if "{invitation}" in endpoint.path:
                values["invitation"] = str(Invitation.objects.get(network=network).pk)
            client = api(persona(who))
            response = _call(client, endpoint, endpoint.path.format(**values))
            status = response.status_code
            if status >= 400:
                error = assert_error(response, status)
                text = response.content.decode()
                assert network.name not in text and network.description not in text, text
                if status == 404:
                    # Not visible looks exactly like not there.
                    path = endpoint.path.format(**values | {"slug": "nowhere"})
                    missing = _call(client, endpoint, path)
                    assert (missing.status_code, missing.json()) == (404, response.json())
                    assert error["code"] == "not_found"
            raise _Undo
    except _Undo:
        pass
    return status


@pytest.mark.parametrize(("name", "visibility"), CASES)
def test_endpoint_answers_each_persona_with_the_exact_status(
    request: pytest.FixtureRequest,
    api: Callable[[Any], Any],
    persona: Callable[[str], Any],
    name: str,
    visibility: str,
) -> None:
    """One row of the matrix: every persona's status on this endpoint and network.

    Each persona's call runs in a savepoint that is rolled back, so all eight meet
    the same network (a ban by the owner does not change what the moderator sees),
    and a failure prints the whole row against the expected one.
    """
    endpoint = ENDPOINTS[name]
    network: Network = request.getfixturevalue(NETWORK_FIXTURES[visibility])

    statuses = {who: _status_for(who, endpoint, network, persona, api) for who in PERSONAS}

    assert statuses == endpoint.expected[visibility]


LISTED = {
    "owner": {"germany", "medical", "lawyers"},
    "moderator": {"germany", "medical", "lawyers"},
    "member": {"germany", "medical", "lawyers"},
    "pending": {"germany", "medical"},
    "banned": {"germany", "medical"},
    "outsider": {"germany", "medical"},
    "staff": {"germany", "medical", "lawyers"},
    "anonymous": {"germany", "medical"},
}


@pytest.mark.parametrize("who", PERSONAS)
def test_network_list_shows_hidden_networks_only_to_their_members_and_staff(
    api: Callable[[Any], Any],
    persona: Callable[[str], Any],
    public_network: Network,
    private_network: Network,
    hidden_network: Network,
    who: str,
) -> None:
    client = api(persona(who))

    listed = client.get("/api/v1/networks/")
    searched = client.get("/api/v1/networks/", {"q": "Lawyers"})
    by_kind = client.get("/api/v1/networks/", {"kind": "thematic"})

    assert listed.status_code == searched.status_code == by_kind.status_code == 200
    assert {n["slug"] for n in listed.json()["results"]} == LISTED[who]
    assert {n["slug"] for n in by_kind.json()["results"]} == LISTED[who] - {"germany"}
    assert [n["slug"] for n in searched.json()["results"]] == (
        ["lawyers"] if "lawyers" in LISTED[who] else []
    )
    if "lawyers" not in LISTED[who]:
        assert hidden_network.name not in listed.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_my_membership_reports_the_callers_own_role_and_status(
    api: Callable[[Any], Any],
    persona: Callable[[str], Any],
    public_network: Network,
    who: str,
) -> None:
    expected = {
        "owner": {"role": "owner", "status": "active"},
        "moderator": {"role": "moderator", "status": "active"},
        "member": {"role": "member", "status": "active"},
        "pending": {"role": "member", "status": "pending"},
        "banned": {"role": "member", "status": "banned"},
    }.get(who)

    body = api(persona(who)).get("/api/v1/networks/germany/").json()

    mine = body["my_membership"]
    assert (mine and {"role": mine["role"], "status": mine["status"]}) == expected
    assert body["member_count"] == 3  # owner, moderator, member: the active ones


CREATE_STATUS = row(403, 403, 403, 403, 403, 403, 201, 401)


@pytest.mark.parametrize("who", PERSONAS)
def test_only_staff_create_networks(
    api: Callable[[Any], Any], persona: Callable[[str], Any], who: str
) -> None:
    body = {
        "name": "Maroc Suisse",
        "slug": "switzerland",
        "kind": "geographic",
        "country": "ch",
        "visibility": "public",
        "join_policy": "open",
    }

    response = api(persona(who)).post("/api/v1/networks/", body, format="json")

    if CREATE_STATUS[who] == 201:
        assert response.status_code == 201
        created = response.json()
        assert created["country"] == "CH"
        assert created["my_membership"]["role"] == Membership.Role.OWNER
        assert created["member_count"] == 1
    else:
        assert_error(response, CREATE_STATUS[who])
        assert not Network.objects.filter(slug="switzerland").exists()


def test_holder_of_the_add_network_permission_may_create_networks(
    api: Callable[[Any], Any], outsider: Any
) -> None:
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="add_network"))
    body = {"name": "Aviation", "slug": "aviation", "kind": "thematic", "theme": "aviation"}

    response = api(outsider).post("/api/v1/networks/", body, format="json")

    assert response.status_code == 201
    assert Membership.objects.get(network__slug="aviation", user=outsider).role == "owner"


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_moderator_fields_of_members_stay_with_moderators(
    api: Callable[[Any], Any],
    persona: Callable[[str], Any],
    public_network: Network,
    who: str,
) -> None:
    """Members see active members only, without join messages, ban reasons or who acted."""
    response = api(persona(who)).get("/api/v1/networks/germany/members/")

    if who != "member":
        assert response.status_code in (401, 403)
        return
    rows = response.json()["results"]
    assert {r["status"] for r in rows} == {"active"}
    assert all("ban_reason" not in r and "join_message" not in r for r in rows)
    assert_error(
        api(persona(who)).get("/api/v1/networks/germany/members/?status=banned"),
        403,
        "not_moderator",
    )


def test_moderators_see_pending_and_banned_members(
    api: Callable[[Any], Any], moderator: Any, public_network: Network
) -> None:
    rows = api(moderator).get("/api/v1/networks/germany/members/").json()["results"]
    banned_only = api(moderator).get("/api/v1/networks/germany/members/?status=banned").json()

    assert {r["user"]["username"]: r["status"] for r in rows} == {
        "owner": "active",
        "moderator": "active",
        "member": "active",
        "pending": "pending",
        "banned": "banned",
    }
    assert [r["user"]["username"] for r in banned_only["results"]] == ["banned"]
    assert "ban_reason" in banned_only["results"][0]
