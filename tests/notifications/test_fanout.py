"""`do_notify` given a queryset of user ids (a fan-out to a whole network): the same rows
and frames as given a list, in one INSERT … SELECT whatever the number of recipients;
frames only to recipients with an open socket, rows for everyone who may read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from community.actions import membership as members
from community.models import Membership, Network
from core import events, presence
from notifications import actions
from notifications.actions import do_notify
from notifications.models import Notification
from permissions import audience
from tests._queries import AllQueries
from tests._ws import db
from tests.factories.networks import add_member, bulk_add_members
from tests.factories.users import make_user

Kind = Notification.Kind
NETWORKS = {"public": "public_network", "private": "private_network", "hidden": "hidden_network"}


def candidates(network: Network) -> Any:
    """Everyone with a membership row (pending and banned included) as a queryset of ids."""
    return Membership.objects.filter(network=network).values("user_id")


def stored(kind: str) -> list[tuple[Any, ...]]:
    return sorted(
        (*fields, json.dumps(data, sort_keys=True))
        for *fields, data in Notification.objects.filter(kind=kind).values_list(
            "recipient_id", "network_id", "actor_id", "target_type", "target_id", "read_at", "data"
        )
    )


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The (group, event) pairs pushed after commit."""
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "send_events_now", sent.extend)
    return sent


@pytest.fixture
def online() -> Any:
    """online(user, …): count a socket for each (core.presence), closed after the test."""
    counted: list[int] = []

    def open_(*users: Any) -> None:
        for user in users:
            presence.connect(user.pk)
            counted.append(user.pk)

    yield open_
    for user_id in counted:
        presence.disconnect(user_id)


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", list(NETWORKS))
def test_a_queryset_stores_the_same_rows_as_the_list_of_its_ids(
    request: pytest.FixtureRequest, visibility: str, owner: Any, outsider: Any, staff: Any
) -> None:
    """Readers only (banned and, off public networks, pending and outsiders dropped), the
    actor excluded, every field as the list path writes it."""
    network: Network = request.getfixturevalue(NETWORKS[visibility])
    people = list(candidates(network).values_list("user_id", flat=True))
    people += [outsider.pk, staff.pk]
    ids = get_user_model().objects.filter(pk__in=people).values("pk")
    target = ("meeting", 7)
    data = {"title": "Assemblée", "n": 1}
    listed = do_notify(
        people, Kind.MEETING_NEW, network=network, actor=owner, target=target, data=data
    )
    fanned = do_notify(
        ids, Kind.MEETING_UPDATE, network=network, actor=owner, target=target, data=data
    )
    assert stored(Kind.MEETING_NEW) == stored(Kind.MEETING_UPDATE)
    assert len(stored(Kind.MEETING_NEW)) == len(listed) == len(fanned) > 0
    recipients = {row.recipient_id for row in fanned}
    assert owner.pk not in recipients
    assert recipients == audience.readers_among(network, set(people) - {owner.pk})
    # The returned rows are the stored ones, ids and creation time included.
    by_id = {row.pk: row for row in Notification.objects.filter(kind=Kind.MEETING_UPDATE)}
    for row in fanned:
        assert by_id[row.pk].recipient_id == row.recipient_id
        assert by_id[row.pk].created_at == row.created_at
        assert row.kind == Kind.MEETING_UPDATE and row.network == network and row.actor == owner


@pytest.mark.django_db
@pytest.mark.parametrize("as_queryset", [False, True])
def test_once_skips_those_already_notified_about_the_target_on_both_paths(
    as_queryset: bool, owner: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    do_notify([member.pk], Kind.MENTION, network=public_network, actor=owner, target=("post", 3))
    people = [member.pk, moderator.pk]
    recipients: Any = (
        get_user_model().objects.filter(pk__in=people).values("pk") if as_queryset else people
    )
    again = do_notify(
        recipients, Kind.MENTION, network=public_network, actor=owner, target=("post", 3), once=True
    )
    assert [row.recipient_id for row in again] == [moderator.pk]
    other = do_notify(
        recipients, Kind.MENTION, network=public_network, actor=owner, target=("post", 4), once=True
    )
    assert {row.recipient_id for row in other} == {member.pk, moderator.pk}


@pytest.mark.django_db
def test_a_queryset_reaches_nobody_in_an_archived_network(
    owner: Any, member: Any, public_network: Network
) -> None:
    public_network.archived = True
    public_network.save()
    rows = do_notify(
        candidates(public_network), Kind.MEETING_NEW, network=public_network, actor=owner
    )
    assert rows == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_costs_the_same_queries_for_5_and_60_members(
    owner: Any, private_network: Network, online: Any, frames: list[Any]
) -> None:
    """The INSERT … SELECT, then after commit the presence look-up (cache, no SQL) and the
    frames of the online members: constant, whatever the number of members or of online."""
    costs = []
    for size in (5, 60):
        network = type(private_network).objects.create(
            name=f"Big {size}", slug=f"big-{size}", visibility=Network.Visibility.PRIVATE
        )
        people = [make_user(f"m{size}x{i}") for i in range(size)]
        bulk_add_members(
            [(network, p, Membership.Role.MEMBER, Membership.Status.ACTIVE) for p in people]
        )
        online(*people[: size // 5])
        frames.clear()
        with AllQueries() as queries, transaction.atomic():
            rows = do_notify(candidates(network), Kind.MEETING_NEW, network=network, actor=owner)
        assert len(rows) == size
        assert len(frames) == size // 5
        # The rows in one statement: no id list went through Python before it.
        inserts = [sql for sql in queries.sql if sql.lstrip().upper().startswith("INSERT")]
        assert len(inserts) == 1 and "SELECT" in inserts[0]
        costs.append(queries.count)
    assert costs[0] == costs[1], costs


@pytest.mark.django_db
def test_offline_recipients_get_their_rows_but_no_frame(
    owner: Any,
    moderator: Any,
    member: Any,
    pending: Any,
    public_network: Network,
    online: Any,
    frames: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    online(member, pending, owner)
    with django_capture_on_commit_callbacks(execute=True):
        rows = do_notify(
            candidates(public_network), Kind.MEETING_NEW, network=public_network, actor=owner
        )
    # Pending members may read a public network; the banned may not; the actor is skipped.
    assert {row.recipient_id for row in rows} == {moderator.pk, member.pk, pending.pk}
    assert sorted(group for group, _event in frames) == sorted(
        [events.user_group(member.pk), events.user_group(pending.pk)]
    )
    for group, event in frames:
        assert event["type"] == actions.NEW and event["unread"] == 1
        assert event["notification"]["kind"] == Kind.MEETING_NEW
        assert event["notification"]["network"] == public_network.slug
        assert group == events.user_group(
            next(r.recipient_id for r in rows if r.pk == event["notification"]["id"])
        )


@pytest.mark.django_db
def test_the_list_and_the_queryset_push_the_same_frames(
    owner: Any,
    member: Any,
    moderator: Any,
    private_network: Network,
    online: Any,
    frames: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    online(member, moderator)
    people = list(candidates(private_network).values_list("user_id", flat=True))
    shapes = []
    for recipients in (people, candidates(private_network)):
        frames.clear()
        with django_capture_on_commit_callbacks(execute=True):
            do_notify(recipients, Kind.MEETING_NEW, network=private_network, actor=owner)
        shapes.append(
            sorted(
                (group, event["notification"]["text"], event["notification"]["target"])
                for group, event in frames
            )
        )
        assert {event["unread"] for _group, event in frames} == {len(shapes)}
    assert shapes[0] == shapes[1] and len(shapes[0]) == 2


@pytest.mark.django_db
def test_online_among_finds_the_users_with_a_socket(member: Any, owner: Any, online: Any) -> None:
    online(member)
    many = range(10**6, 10**6 + 3 * presence.ONLINE_CHUNK)
    assert presence.online_among([owner.pk, member.pk, *many]) == {member.pk}
    presence.disconnect(member.pk)
    assert presence.online_among([member.pk]) == set()
    presence.connect(member.pk)


@pytest.mark.django_db(transaction=True)
async def test_a_fan_out_frames_the_open_sockets_of_readers(
    connect: Any, owner: Any, member: Any, banned: Any, private_network: Network
) -> None:
    first, second, shut_out = await connect(member), await connect(member), await connect(banned)
    await db(lambda: add_member(private_network, make_user("offline")))()
    rows = await db(do_notify)(
        candidates(private_network), Kind.MEETING_NEW, network=private_network, actor=owner
    )
    assert len(rows) == 3  # the moderator, the member and the offline one
    for client in (first, second):
        frame = await client.expect("notification")
        assert frame["unread"] == 1 and frame["notification"]["kind"] == Kind.MEETING_NEW
    assert await shut_out.nothing(ignore={"presence", "membership"})
    await db(members.do_leave_network)(member, private_network)
