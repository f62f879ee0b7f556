"""A granted permission lets a member do exactly that one thing more; a withdrawn one takes
it away from a moderator. Through the real REST endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from community.models import Network
from permissions import checks
from permissions.roles import Perm
from tests.community.helpers import assert_error
from tests.factories.chat import make_room, send
from tests.factories.forums import make_category, make_topic
from tests.factories.networks import add_member
from tests.factories.users import client_for, make_user

pytestmark = pytest.mark.django_db


def set_permissions(owner: Any, network: Network, user: Any, **body: Any) -> None:
    url = f"/api/v1/networks/{network.slug}/members/{user.pk}/permissions/"
    response = client_for(owner).post(url, body, format="json")
    assert response.status_code == 200, response.content


def powers(user: Any, network: Network, topic_id: int, victim: Any) -> dict[str, int]:
    """The status of one attempt at each power (each reverted, or harmless, afterwards)."""
    api = client_for(user)
    room = api.post(f"/api/v1/networks/{network.slug}/rooms/", {"name": "Side room"}, format="json")
    lock = api.patch(f"/api/v1/topics/{topic_id}/", {"locked": True}, format="json")
    ban = api.post(
        f"/api/v1/networks/{network.slug}/members/{victim.pk}/ban/", {"reason": "x"}, format="json"
    )
    if ban.status_code == 200:
        assert (
            client_for(network.created_by)
            .post(f"/api/v1/networks/{network.slug}/members/{victim.pk}/unban/", {}, format="json")
            .status_code
            == 200
        )
        add_member(network, victim)
    if lock.status_code == 200:
        client_for(network.created_by).patch(
            f"/api/v1/topics/{topic_id}/", {"locked": False}, format="json"
        )
    return {"room": room.status_code, "lock": lock.status_code, "ban": ban.status_code}


@pytest.fixture
def stage(owner: Any, public_network: Network) -> tuple[int, Any]:
    topic = make_topic(make_category(public_network), owner)
    victim = make_user("victim")
    add_member(public_network, victim)
    return topic.pk, victim


NOTHING = {"room": 403, "lock": 403, "ban": 403}


def test_a_plain_member_has_none_of_these_powers(
    member: Any, public_network: Network, stage: tuple[int, Any]
) -> None:
    assert powers(member, public_network, *stage) == NOTHING


@pytest.mark.parametrize(
    ("perm", "power"),
    [("manage_rooms", "room"), ("moderate_forums", "lock"), ("manage_members", "ban")],
)
def test_a_granted_member_gains_exactly_that_power(
    owner: Any,
    member: Any,
    public_network: Network,
    stage: tuple[int, Any],
    perm: str,
    power: str,
) -> None:
    set_permissions(owner, public_network, member, grant=[perm])

    expected = dict(NOTHING, **{power: 201 if power == "room" else 200})
    assert powers(member, public_network, *stage) == expected


@pytest.mark.parametrize(
    ("perm", "power"),
    [("manage_rooms", "room"), ("moderate_forums", "lock"), ("manage_members", "ban")],
)
def test_a_withdrawn_permission_takes_that_power_from_a_moderator(
    owner: Any,
    moderator: Any,
    public_network: Network,
    stage: tuple[int, Any],
    perm: str,
    power: str,
) -> None:
    everything = {"room": 201, "lock": 200, "ban": 200}
    assert powers(moderator, public_network, *stage) == everything

    set_permissions(owner, public_network, moderator, revoke=[perm])

    assert powers(moderator, public_network, *stage) == dict(everything, **{power: 403})


def test_granted_members_act_as_moderators_not_above_them(
    owner: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    """The rank rule stays the role's: holding manage_members ranks one as a moderator."""
    set_permissions(owner, public_network, member, grant=["manage_members", "manage_rooms"])
    url = f"/api/v1/networks/{public_network.slug}/members/{moderator.pk}/mute/"
    assert_error(client_for(member).post(url, {"minutes": 5}, format="json"), 403, "rank")
    room = make_room(public_network)
    theirs = send(moderator, room, "from a moderator")
    assert_error(client_for(member).delete(f"/api/v1/messages/{theirs.pk}/"), 403, "rank")
    peer = make_user("peer")
    add_member(public_network, peer)
    mine = send(peer, room, "from a member")
    assert client_for(member).delete(f"/api/v1/messages/{mine.pk}/").status_code in (200, 204)


def test_withdrawn_forum_moderation_hides_deleted_topics_again(
    owner: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    topic = make_topic(make_category(public_network), member)
    assert client_for(moderator).delete(f"/api/v1/topics/{topic.pk}/").status_code in (200, 204)
    assert client_for(moderator).get(f"/api/v1/topics/{topic.pk}/").status_code == 200

    set_permissions(owner, public_network, moderator, revoke=["moderate_forums"])

    assert client_for(moderator).get(f"/api/v1/topics/{topic.pk}/").status_code == 404
    assert checks.moderated_network_ids(moderator, {public_network.pk}) == set()
    assert checks.moderated_network_ids(moderator, {public_network.pk}, Perm.MANAGE_MEMBERS) == {
        public_network.pk
    }
