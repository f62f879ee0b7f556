"""Who is muted, and until when, is for the member themself and the moderators only.

Issue #11, section 3: every member saw every other member's `muted_until` in the
members list. Now a member's list shows it only on their own row; moderators (and
staff) see it on every row; the network-wide membership event no longer carries it.
"""

from __future__ import annotations

from typing import Any

import pytest

from community.actions import membership as members
from community.models import Membership, Network
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def muted_member(moderator: Any, public_network: Network) -> Any:
    user = make_user("quiet")
    add_member(public_network, user)
    members.do_mute_member(moderator, public_network, user.pk, 600, "Cool down")
    return user


def _rows(api: Any, user: Any, network: Network) -> dict[int, dict[str, Any]]:
    response = api(user).get(f"/api/v1/networks/{network.slug}/members/")
    assert response.status_code == 200, response.content
    return {row["user"]["id"]: row for row in response.json()["results"]}


def test_a_member_does_not_see_who_else_is_muted(
    api: Any, member: Any, muted_member: Any, public_network: Network
) -> None:
    rows = _rows(api, member, public_network)

    assert "muted_until" not in rows[muted_member.pk]
    assert not any("muted_until" in row for uid, row in rows.items() if uid != member.pk)
    assert "quiet" in {row["user"]["username"] for row in rows.values()}


def test_a_muted_member_sees_their_own_mute_in_the_list(
    api: Any, muted_member: Any, public_network: Network
) -> None:
    rows = _rows(api, muted_member, public_network)

    assert rows[muted_member.pk]["muted_until"] is not None
    assert not any("muted_until" in row for uid, row in rows.items() if uid != muted_member.pk)


@pytest.mark.parametrize("viewer", ["moderator", "owner", "staff"])
def test_moderators_see_every_members_mute(
    api: Any,
    request: pytest.FixtureRequest,
    muted_member: Any,
    member: Any,
    public_network: Network,
    viewer: str,
) -> None:
    rows = _rows(api, request.getfixturevalue(viewer), public_network)

    assert rows[muted_member.pk]["muted_until"] is not None
    assert rows[member.pk]["muted_until"] is None


def test_a_mute_is_told_to_the_member_and_not_to_the_network(
    moderator: Any,
    member: Any,
    public_network: Network,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("core.events.send_event_now", lambda g, e: sent.append((g, e)))

    with django_capture_on_commit_callbacks(execute=True):
        members.do_mute_member(moderator, public_network, member.pk, 60)

    events = {g: e for g, e in sent if e["type"] == "community.membership"}
    assert events[f"user.{member.pk}"]["muted_until"] is not None
    assert set(events) == {f"user.{member.pk}"}


def test_the_schema_says_who_sees_muted_until() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    membership = schema["components"]["schemas"]["Membership"]

    assert "muted_until" not in membership.get("required", [])
    assert "moderators" in membership["properties"]["muted_until"]["description"]
