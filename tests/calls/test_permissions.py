"""The permission matrix: every call and application endpoint for every persona, in a
public, a private and a hidden network (missing to those who may not read it, 403 to
readers who may not act, 404 for the doors of a call one does not manage)."""

from __future__ import annotations

from typing import Any

import pytest

from calls.models import Application, Call
from tests.factories.calls import apply, call_body, create, open_call
from tests.factories.networks import add_member
from tests.factories.users import make_user

PERSONAS = ["owner", "moderator", "poster", "member", "pending", "banned", "outsider", "staff"]
NETWORKS = ["public_network", "private_network", "hidden_network"]
MANAGERS = {"owner", "moderator", "staff"}  # the calls are the moderator's


def reads(persona: str, kind: str) -> int | None:
    if persona in ("owner", "moderator", "poster", "member", "staff"):
        return None
    if kind == "public_network":
        return 403 if persona == "banned" else None
    return 404


def expected(persona: str, kind: str, action: str) -> int:
    refused = reads(persona, kind)
    if refused is not None:
        return refused
    if action in ("list", "detail"):
        return 200
    if action == "create":
        return 201 if persona in MANAGERS | {"poster"} else 403
    if action == "apply":
        if persona == "moderator":
            return 403  # their own call
        return 201 if persona in ("owner", "poster", "member", "staff") else 403
    # The managers' doors: the draft itself is missing to the others.
    return 200 if persona in MANAGERS else 404


@pytest.fixture
def poster(db: Any, request: Any) -> Any:
    return make_user("poster")


@pytest.mark.parametrize("kind", NETWORKS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_for_every_persona(
    db: Any,
    api: Any,
    request: Any,
    moderator: Any,
    owner: Any,
    poster: Any,
    kind: str,
    persona: str,
) -> None:
    network = request.getfixturevalue(kind)
    add_member(network, poster)
    url = f"/api/v1/networks/{network.slug}/members/{poster.pk}/permissions/"
    assert api(owner).post(url, {"grant": ["publish_calls"]}, format="json").status_code == 200
    applicant = make_user("applicant")
    add_member(network, applicant)
    live = open_call(api, moderator, network, positions=5)
    application = Application.objects.get(pk=apply(api, applicant, live).json()["id"])
    draft = Call.objects.get(pk=create(api, moderator, network).json()["id"])
    user = request.getfixturevalue(persona)
    client = api(user)
    base = f"/api/v1/calls/{live.pk}/"
    decision = f"/api/v1/applications/{application.pk}/"
    calls = {
        "list": lambda: client.get(f"/api/v1/networks/{network.slug}/calls/"),
        "detail": lambda: client.get(base),
        "create": lambda: client.post(
            f"/api/v1/networks/{network.slug}/calls/", call_body(), format="json"
        ),
        "apply": lambda: apply(api, user, live),
        "matches": lambda: client.get(base + "matches/"),
        "applications": lambda: client.get(base + "applications/"),
        "csv": lambda: client.get(base[:-1] + "/applications.csv"),
        "shortlist": lambda: client.post(decision + "shortlist/"),
        "accept": lambda: client.post(decision + "accept/"),
        "outcome": lambda: client.post(
            decision + "outcome/", {"status": "completed", "days": 10}, format="json"
        ),
        "edit": lambda: client.patch(
            f"/api/v1/calls/{draft.pk}/", {"title": "Un autre titre"}, format="json"
        ),
        "draft": lambda: client.get(f"/api/v1/calls/{draft.pk}/"),
        "publish": lambda: client.post(f"/api/v1/calls/{draft.pk}/publish/"),
        "close": lambda: client.post(base + "close/", {"outcome": "closed"}, format="json"),
    }
    got = {action: call().status_code for action, call in calls.items()}
    want = {action: expected(persona, kind, action) for action in calls}
    assert got == want


def test_a_poster_who_loses_publish_calls_loses_the_doors_and_moderators_keep_the_call(
    db: Any, api: Any, public_network: Any, owner: Any, member: Any, moderator: Any
) -> None:
    url = f"/api/v1/networks/{public_network.slug}/members/{member.pk}/permissions/"
    assert api(owner).post(url, {"grant": ["publish_calls"]}, format="json").status_code == 200
    call = open_call(api, member, public_network)
    assert api(member).get(f"/api/v1/calls/{call.pk}/matches/").status_code == 200
    assert api(owner).post(url, {"revoke": ["publish_calls"]}, format="json").status_code == 200
    for door in ("matches/", "applications/"):
        assert api(member).get(f"/api/v1/calls/{call.pk}/{door}").status_code == 404
    call.refresh_from_db()
    assert call.status == "open"
    assert api(moderator).get(f"/api/v1/calls/{call.pk}/applications/").status_code == 200
    closed = api(moderator).post(
        f"/api/v1/calls/{call.pk}/close/", {"outcome": "cancelled"}, format="json"
    )
    assert closed.status_code == 200


def test_a_banned_poster_loses_the_doors(
    db: Any, api: Any, public_network: Any, owner: Any, moderator: Any
) -> None:
    call = open_call(api, moderator, public_network)
    ban = api(owner).post(f"/api/v1/networks/{public_network.slug}/members/{moderator.pk}/ban/")
    assert ban.status_code == 200, ban.content
    assert api(moderator).get(f"/api/v1/calls/{call.pk}/matches/").status_code in (403, 404)
    assert api(moderator).get(f"/api/v1/calls/{call.pk}/applications/").status_code in (403, 404)
    assert api(owner).get(f"/api/v1/calls/{call.pk}/applications/").status_code == 200
