"""Bad input is refused with CONTRACT.md's error, the right status, and nothing written."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from community.models import Invitation, Network
from tests.community.helpers import assert_error, nothing_written
from tests.factories.networks import add_member

pytestmark = pytest.mark.django_db

GERMANY = "/api/v1/networks/germany"
NUL = chr(0)
MEMBERS = f"{GERMANY}/members"
LIST = "/api/v1/networks/"
CURSOR = "invalid_cursor"


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


NEW_NETWORK = {
    "name": "Maroc Canada",
    "slug": "canada",
    "kind": "geographic",
    "country": "CA",
    "visibility": "public",
    "join_policy": "open",
}

# (who, method, path, body, status, code); `body` is JSON-encoded unless it is bytes.
# fmt: off
CASES: list[tuple[str, str, str, Any, int, str]] = [
    # unknown things
    ("member", "get", "/api/v1/networks/nowhere/", None, 404, "not_found"),
    ("member", "post", "/api/v1/networks/nowhere/join/", {}, 404, "not_found"),
    ("member", "post", "/api/v1/networks/nowhere/leave/", {}, 404, "not_found"),
    ("moderator", "get", "/api/v1/networks/nowhere/members/", None, 404, "not_found"),
    ("moderator", "post", f"{MEMBERS}/999999/ban/", {}, 404, "not_found"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/promote/", {}, 404, "not_found"),
    ("moderator", "delete", f"{GERMANY}/invitations/999999/", None, 404, "not_found"),
    ("moderator", "post", f"{MEMBERS}/99999999999999999999/ban/", {}, 404, "not_found"),
    ("moderator", "delete", f"{GERMANY}/invitations/{10**20}/", None, 404, "not_found"),
    ("member", "get", "/api/v1/networks/GERMANY/", None, 404, "not_found"),
    # A NUL in the address is refused before any lookup (a 500 on PostgreSQL once).
    ("member", "get", "/api/v1/networks/germany%00/", None, 400, "invalid"),
    ("member", "post", "/api/v1/networks/germany%00/join/", {}, 400, "invalid"),
    ("member", "get", f"/api/v1/networks/{'a' * 300}/members/", None, 404, "not_found"),
    # duplicates and state conflicts
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"slug": "germany"}, 409, "slug_taken"),
    ("member", "post", f"{GERMANY}/join/", {}, 409, "already_member"),
    ("pending", "post", f"{GERMANY}/join/", {}, 409, "already_pending"),
    ("banned", "post", f"{GERMANY}/join/", {}, 403, "banned"),
    ("owner", "post", f"{GERMANY}/leave/", {}, 409, "last_owner"),
    ("outsider", "post", f"{GERMANY}/leave/", {}, 409, "not_member"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/approve/", {}, 409, "wrong_status"),
    ("moderator", "post", f"{MEMBERS}/{{banned}}/ban/", {}, 409, "already_banned"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/unban/", {}, 409, "wrong_status"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/unmute/", {}, 409, "not_muted"),
    ("owner", "post", f"{MEMBERS}/{{member}}/set-role/", {"role": "member"}, 409, "same_role"),
    # rank and self
    ("moderator", "post", f"{MEMBERS}/{{member}}/set-role/", {"role": "owner"}, 403, "not_owner"),
    ("moderator", "post", f"{MEMBERS}/{{owner}}/ban/", {}, 403, "rank"),
    ("moderator", "post", f"{MEMBERS}/{{owner}}/remove/", {}, 403, "rank"),
    ("owner", "post", f"{MEMBERS}/{{owner}}/set-role/", {"role": "member"}, 403, "self_action"),
    ("moderator", "post", f"{MEMBERS}/{{moderator}}/mute/", {"minutes": 5}, 403, "self_action"),
    ("member", "post", f"{MEMBERS}/{{member}}/set-role/", {"role": "owner"}, 403, "not_moderator"),
    # malformed bodies
    ("staff", "post", "/api/v1/networks/", b'{"name": "x",', 400, "malformed_json"),
    ("member", "post", f"{GERMANY}/leave/", b"{nope", 400, "malformed_json"),
    ("staff", "post", "/api/v1/networks/", ["a", "list"], 400, "invalid"),
    ("outsider", "post", f"{GERMANY}/join/", "just a string", 400, "invalid"),
    # wrong types
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"name": ["x"]}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"kind": "planet"}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"visibility": True}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"slug": "Bad_Slug"}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"country": "Canada"}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"country": ""}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"name": "   "}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", {"slug": "x1"}, 400, "invalid"),
    ("owner", "patch", f"{GERMANY}/", {"visibility": "secret"}, 400, "invalid"),
    ("owner", "patch", f"{GERMANY}/", {"archived": "maybe"}, 400, "invalid"),
    ("owner", "patch", f"{GERMANY}/", {"kind": "thematic"}, 400, "invalid"),  # needs a theme
    ("owner", "patch", f"{GERMANY}/", {"country": ""}, 400, "invalid"),
    ("outsider", "post", f"{GERMANY}/join/", {"message": {"a": 1}}, 400, "invalid"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/mute/", {"minutes": "ten"}, 400, "invalid"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/mute/", {"minutes": 0}, 400, "invalid"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/mute/", {}, 400, "invalid"),
    ("owner", "post", f"{MEMBERS}/{{member}}/set-role/", {"role": "king"}, 400, "invalid"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/ban/", {"reason": ["spam"]}, 400, "invalid"),
    ("moderator", "post", f"{GERMANY}/invitations/", {"max_uses": "many"}, 400, "invalid"),
    ("moderator", "post", f"{GERMANY}/invitations/", {"email": "not-an-email"}, 400, "invalid"),
    ("moderator", "post", f"{GERMANY}/invitations/", {"expires_in_hours": -1}, 400, "invalid"),
    # oversized fields
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"name": "م" * 121}, 400, "invalid"),
    ("staff", "post", "/api/v1/networks/", NEW_NETWORK | {"slug": "a" * 51}, 400, "invalid"),
    ("owner", "patch", f"{GERMANY}/", {"description": "x" * 5001}, 400, "invalid"),
    ("outsider", "post", f"{GERMANY}/join/", {"message": "x" * 2001}, 400, "invalid"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/ban/", {"reason": "x" * 2001}, 400, "invalid"),
    ("moderator", "post", f"{MEMBERS}/{{member}}/mute/", {"minutes": 10**9}, 400, "invalid"),
    # query parameters
    ("member", "get", "/api/v1/networks/?kind=planet", None, 400, "invalid"),
    ("member", "get", f"{MEMBERS}/?role=king", None, 400, "invalid"),
    ("member", "get", f"{MEMBERS}/?status=sleeping", None, 400, "invalid"),
    ("member", "get", "/api/v1/networks/?limit=0", None, 400, "invalid"),
    ("member", "get", "/api/v1/networks/?limit=abc", None, 400, "invalid"),
    ("member", "get", "/api/v1/networks/?limit=10000", None, 400, "invalid"),
    ("member", "get", "/api/v1/networks/?limit=-5", None, 400, "invalid"),
    ("member", "get", f"{MEMBERS}/?limit=201", None, 400, "invalid"),
    ("member", "get", "/api/v1/networks/?cursor=!!!", None, 400, CURSOR),
    ("member", "get", f"{LIST}?cursor={_cursor({'a': 1})}", None, 400, CURSOR),
    ("member", "get", f"{LIST}?cursor={_cursor(['x'])}", None, 400, CURSOR),
    ("member", "get", f"{LIST}?cursor={_cursor(['x', 'y'])}", None, 400, CURSOR),
    ("member", "get", f"{LIST}?cursor={_cursor(['x', 2**70])}", None, 400, CURSOR),
    ("member", "get", f"{LIST}?cursor={_cursor(['x', True])}", None, 400, CURSOR),
    ("member", "get", f"{LIST}?cursor={_cursor(['x' + NUL, 1])}", None, 400, CURSOR),
    ("member", "get", f"{MEMBERS}/?cursor={_cursor([{'dt': 'yesterday'}])}", None, 400, CURSOR),
    ("moderator", "get", f"{GERMANY}/audit-log/?cursor={_cursor(['1.5e400'])}", None, 400, CURSOR),
]
# fmt: on


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "code"),
    CASES,
    ids=[
        f"{c[0]}-{c[1]}-{c[2].replace('/api/v1/networks', '')}-{c[5]}-{i}"
        for i, c in enumerate(CASES)
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    api: Callable[[Any], Any],
    persona: Callable[[str], Any],
    public_network: Network,
    who: str,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    path = path.format(
        **{p: persona(p).pk for p in ("owner", "moderator", "member", "pending", "banned")}
    )
    client = api(persona(who))

    with nothing_written():
        if method == "get":
            response = client.get(path)
        elif isinstance(body, bytes):
            response = client.generic(method.upper(), path, body, content_type="application/json")
        else:
            response = client.generic(
                method.upper(), path, json.dumps(body), content_type="application/json"
            )

    assert_error(response, status, code)


def test_field_errors_name_the_offending_fields(api: Callable[[Any], Any], staff: Any) -> None:
    response = api(staff).post(
        "/api/v1/networks/",
        NEW_NETWORK | {"name": "x" * 121, "kind": "planet"},
        format="json",
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"name", "kind"}
    assert all(isinstance(m, str) for msgs in error["fields"].values() for m in msgs)


@pytest.mark.parametrize(
    ("invitation_fields", "code"),
    [
        ({"expires_at": timezone.now() - dt.timedelta(minutes=1)}, "invitation_expired"),
        ({"max_uses": 2, "uses": 2}, "invitation_used_up"),
        ({"revoked_at": timezone.now()}, "invitation_invalid"),
        ({"email": "someone.else@example.org"}, "invitation_email_mismatch"),
    ],
)
def test_unusable_invitation_is_refused_and_writes_nothing(
    api: Callable[[Any], Any],
    outsider: Any,
    owner: Any,
    hidden_network: Network,
    invitation_fields: dict[str, Any],
    code: str,
) -> None:
    invitation = Invitation.objects.create(
        network=hidden_network, created_by=owner, **invitation_fields
    )

    with nothing_written():
        response = api(outsider).post(
            "/api/v1/networks/lawyers/join/", {"invitation": invitation.token}, format="json"
        )

    assert_error(response, 403, code)


def test_unknown_invitation_token_to_a_hidden_network_looks_like_no_network(
    api: Callable[[Any], Any], outsider: Any, hidden_network: Network
) -> None:
    with nothing_written():
        response = api(outsider).post(
            "/api/v1/networks/lawyers/join/", {"invitation": "guessed"}, format="json"
        )

    assert_error(response, 404, "not_found")


def test_invitation_to_one_network_does_not_open_another(
    api: Callable[[Any], Any],
    outsider: Any,
    owner: Any,
    public_network: Network,
    hidden_network: Network,
) -> None:
    invitation = Invitation.objects.create(network=public_network, created_by=owner)

    with nothing_written():
        response = api(outsider).post(
            "/api/v1/networks/lawyers/join/", {"invitation": invitation.token}, format="json"
        )

    assert_error(response, 404, "not_found")


def test_staff_cannot_remove_the_last_owner(
    api: Callable[[Any], Any], staff: Any, owner: Any, public_network: Network
) -> None:
    client = api(staff)
    base = f"{GERMANY}/members/{owner.pk}"

    with nothing_written():
        responses = [
            client.post(f"{base}/ban/", {}, format="json"),
            client.post(f"{base}/remove/", {}, format="json"),
            client.post(f"{base}/set-role/", {"role": "member"}, format="json"),
        ]

    for response in responses:
        assert_error(response, 409, "last_owner")


def test_one_of_two_owners_may_leave(
    api: Callable[[Any], Any], owner: Any, moderator: Any, public_network: Network
) -> None:
    add_member(public_network, moderator, "owner")

    response = api(owner).post(f"{GERMANY}/leave/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "left"
