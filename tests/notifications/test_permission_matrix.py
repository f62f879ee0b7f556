"""Who sees a network's notifications, persona by persona, in public, private and hidden
networks: stored only for readers at write time, listed and counted only for readers now,
frames only to readers; the endpoints need a signed-in user and touch only their own rows.

A notification stored while the person could read the network stays theirs, but a
banned member, or one who left a private or hidden network, sees no text of it any more.
"""

from __future__ import annotations

from typing import Any

import pytest

from community.actions import membership as members
from community.models import Network
from notifications.actions import do_notify
from notifications.models import Notification
from tests._ws import db
from tests.factories.networks import add_member
from tests.factories.users import client_for, make_user

LIST = "/api/v1/notifications/"
COUNT = "/api/v1/notifications/unread-count/"
READ = "/api/v1/notifications/read/"
NETWORKS = {"public": "public_network", "private": "private_network", "hidden": "hidden_network"}
PEOPLE = ["owner", "moderator", "member", "pending", "banned", "outsider", "left", "staff"]


def readers(visibility: str) -> set[str]:
    """Who may read a network of this visibility now (CONTRACT.md "Networks")."""
    if visibility == "public":
        return {"owner", "moderator", "member", "pending", "outsider", "left", "staff"}
    return {"owner", "moderator", "member", "staff"}


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return {**personas, "left": make_user("leaver")}


def _network(request: pytest.FixtureRequest, visibility: str, people: dict[str, Any]) -> Network:
    network: Network = request.getfixturevalue(NETWORKS[visibility])
    add_member(network, people["left"])
    return network


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", list(NETWORKS))
def test_stored_for_readers_then_listed_and_counted_for_readers_now(
    request: pytest.FixtureRequest, visibility: str, people: dict[str, Any]
) -> None:
    network = _network(request, visibility, people)
    actor = make_user("actor")
    # Rows as they were stored while everyone but the outsider belonged (pending and
    # banned included, as if they had been members then), then the leaver leaves.
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="moderation", network=network, actor=actor)
        for user in people.values()
    )
    members.do_leave_network(people["left"], network)
    for name, user in people.items():
        client = client_for(user)
        listed = client.get(LIST).json()["results"]
        count = client.get(COUNT).json()["count"]
        expected = 1 if name in readers(visibility) else 0
        assert (len(listed), count) == (expected, expected), (visibility, name)
        for row in listed:
            assert row["network"] == network.slug


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", list(NETWORKS))
def test_do_notify_stores_only_for_those_who_may_read_now(
    request: pytest.FixtureRequest, visibility: str, people: dict[str, Any]
) -> None:
    network = _network(request, visibility, people)
    members.do_leave_network(people["left"], network)
    actor = make_user("actor")
    do_notify([u.pk for u in people.values()], "moderation", network=network, actor=actor)
    stored = set(
        Notification.objects.filter(network=network).values_list("recipient__username", flat=True)
    )
    names = {user.username: name for name, user in people.items()}
    assert {names[username] for username in stored} == readers(visibility)


@pytest.mark.django_db
def test_anonymous_is_refused_everywhere() -> None:
    client = client_for(None)
    for method, path in (("get", LIST), ("get", COUNT), ("post", READ)):
        response = getattr(client, method)(path, {"all": True} if method == "post" else None)
        assert response.status_code == 401, path


@pytest.mark.django_db
def test_marking_read_touches_only_ones_own_rows(
    people: dict[str, Any], public_network: Network
) -> None:
    actor = make_user("actor")
    rows = do_notify(
        [people["member"].pk, people["outsider"].pk],
        "moderation",
        network=public_network,
        actor=actor,
    )
    mine = next(r for r in rows if r.recipient_id == people["member"].pk)
    theirs = next(r for r in rows if r.recipient_id == people["outsider"].pk)
    client = client_for(people["member"])
    assert client.post(READ, {"ids": [mine.pk, theirs.pk, 10**9]}, format="json").status_code == 204
    assert client.post(READ, {"all": True}, format="json").status_code == 204
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("visibility", list(NETWORKS))
async def test_frames_only_to_readers(
    connect: Any, request: pytest.FixtureRequest, visibility: str, personas: dict[str, Any]
) -> None:
    network = await db(request.getfixturevalue)(NETWORKS[visibility])
    leaver = await db(make_user)("leaver")
    await db(add_member)(network, leaver)
    await db(members.do_leave_network)(leaver, network)
    people = {**personas, "left": leaver}
    sockets = {name: await connect(user) for name, user in people.items()}
    actor = await db(make_user)("actor")
    await db(do_notify)([u.pk for u in people.values()], "moderation", network=network, actor=actor)
    for name, socket in sockets.items():
        if name in readers(visibility):
            frame = await socket.expect("notification")
            assert frame["notification"]["network"] == network.slug and frame["unread"] == 1
        else:
            assert await socket.nothing(ignore={"presence", "membership"}), name
