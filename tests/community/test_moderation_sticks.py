"""A mute or a ban belongs to the person in the network: the member cannot shed it.

Issue #11, section 3: a member muted for 600 minutes left an open network, rejoined,
and was no longer muted. Every way back in — rejoining, an invitation, a join request
approved, a moderator's removal and a rejoin, the directory import — must keep the
mute; a ban must survive every one of them too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from community.actions import invitations
from community.actions import membership as members
from community.models import Membership, Network
from core.errors import InvalidInput, NotAllowed, StateConflict
from directory.actions import ImportRow, do_import_members
from permissions import checks
from tests.community.helpers import assert_error, nothing_written
from tests.factories.networks import make_network

pytestmark = pytest.mark.django_db

MUTE_MINUTES = 600


def _membership(user: Any, network: Network) -> Membership:
    return Membership.objects.get(user=user, network=network)


def _fresh(network: Network) -> Network:
    """The network without the memo of an earlier check."""
    return Network.objects.get(pk=network.pk)


def _assert_still_muted(user: Any, network: Network, until: dt.datetime) -> None:
    membership = _membership(user, network)
    assert membership.status == "active"
    assert membership.muted_until == until
    with pytest.raises(NotAllowed) as refused:
        checks.check_can_participate(user, _fresh(network))
    assert refused.value.code == "muted"


def _mute(moderator: Any, member: Any, network: Network) -> dt.datetime:
    muted = members.do_mute_member(moderator, network, member.pk, MUTE_MINUTES, "Cool down")
    assert muted.muted_until is not None
    return muted.muted_until


def test_a_muted_member_who_leaves_and_rejoins_an_open_network_is_still_muted(
    moderator: Any, member: Any, public_network: Network
) -> None:
    until = _mute(moderator, member, public_network)

    members.do_leave_network(member, _fresh(public_network))
    assert _membership(member, public_network).muted_until == until
    members.do_join_network(member, _fresh(public_network))

    _assert_still_muted(member, public_network, until)


def test_a_muted_member_who_rejoins_by_request_is_still_muted_once_approved(
    owner: Any, moderator: Any, member: Any
) -> None:
    network = make_network(owner, join_policy="approval")
    members.do_join_network(member, network)
    members.do_approve_member(owner, _fresh(network), member.pk)
    until = _mute(owner, member, _fresh(network))

    members.do_leave_network(member, _fresh(network))
    assert members.do_join_network(member, _fresh(network)).status == "pending"
    members.do_approve_member(owner, _fresh(network), member.pk)

    _assert_still_muted(member, network, until)


def test_a_muted_member_who_rejoins_with_an_invitation_is_still_muted(
    owner: Any, member: Any
) -> None:
    network = make_network(owner, join_policy="invite")
    link = invitations.do_create_invitation(owner, network)
    members.do_join_network(member, _fresh(network), invitation_token=link.token)
    until = _mute(owner, member, _fresh(network))
    members.do_leave_network(member, _fresh(network))

    by_email = invitations.do_create_invitation(owner, _fresh(network), email=member.email)
    assert _membership(member, network).status == "invited"
    members.do_join_network(member, _fresh(network), invitation_token=by_email.token)

    _assert_still_muted(member, network, until)


def test_a_muted_member_removed_by_a_moderator_is_still_muted_when_they_rejoin(
    moderator: Any, member: Any, public_network: Network
) -> None:
    until = _mute(moderator, member, public_network)

    members.do_remove_member(moderator, _fresh(public_network), member.pk, "Off topic")
    members.do_join_network(member, _fresh(public_network))

    _assert_still_muted(member, public_network, until)


def test_a_muted_member_imported_back_into_the_network_is_still_muted(
    owner: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    until = _mute(moderator, member, public_network)
    members.do_leave_network(member, _fresh(public_network))

    do_import_members(
        owner,
        _fresh(public_network),
        [ImportRow(line=1, email=member.email, username="", existing_id=member.pk)],
        update_existing=False,
    )

    _assert_still_muted(member, public_network, until)


def test_a_mute_that_ended_while_away_is_over_after_rejoining(
    moderator: Any, member: Any, public_network: Network
) -> None:
    _mute(moderator, member, public_network)
    members.do_leave_network(member, _fresh(public_network))
    Membership.objects.filter(user=member, network=public_network).update(
        muted_until=timezone.now() - dt.timedelta(minutes=1)
    )

    members.do_join_network(member, _fresh(public_network))

    checks.check_can_participate(member, _fresh(public_network))


def test_a_moderator_can_lift_the_mute_of_someone_who_left(
    moderator: Any, member: Any, public_network: Network
) -> None:
    _mute(moderator, member, public_network)
    members.do_leave_network(member, _fresh(public_network))

    members.do_unmute_member(moderator, _fresh(public_network), member.pk)
    members.do_join_network(member, _fresh(public_network))

    assert _membership(member, public_network).muted_until is None
    checks.check_can_participate(member, _fresh(public_network))


# --- bans ------------------------------------------------------------------------------------


def test_a_banned_member_cannot_leave_to_shed_the_ban(banned: Any, public_network: Network) -> None:
    with nothing_written(), pytest.raises(StateConflict):
        members.do_leave_network(banned, public_network)
    assert _membership(banned, public_network).status == "banned"


def test_a_banned_member_cannot_come_back_by_any_door(
    owner: Any, banned: Any, public_network: Network
) -> None:
    open_link = invitations.do_create_invitation(owner, public_network)

    for attempt in (
        lambda: members.do_join_network(banned, _fresh(public_network)),
        lambda: members.do_join_network(
            banned, _fresh(public_network), invitation_token=open_link.token
        ),
    ):
        with nothing_written(), pytest.raises(NotAllowed) as refused:
            attempt()
        assert refused.value.code == "banned"
    with nothing_written(), pytest.raises(StateConflict):
        invitations.do_create_invitation(owner, _fresh(public_network), email=banned.email)
    with nothing_written(), pytest.raises(StateConflict):
        members.do_approve_member(owner, _fresh(public_network), banned.pk)
    with nothing_written(), pytest.raises(InvalidInput):
        do_import_members(
            owner,
            _fresh(public_network),
            [ImportRow(line=1, email=banned.email, username="", existing_id=banned.pk)],
            update_existing=False,
        )

    assert _membership(banned, public_network).status == "banned"
    assert not checks.may_read(banned, _fresh(public_network))


def test_a_banned_member_cannot_request_to_join_an_approval_network(
    owner: Any, outsider: Any
) -> None:
    network = make_network(owner, join_policy="approval")
    members.do_ban_member(owner, network, outsider.pk, "Known troll")

    with nothing_written(), pytest.raises(NotAllowed) as refused:
        members.do_join_network(outsider, _fresh(network), message="Let me in")
    assert refused.value.code == "banned"


# --- through the REST API and the web join flow -------------------------------------------


def test_rest_leave_and_rejoin_keeps_the_mute_and_sending_stays_refused(
    api: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    from tests.factories.chat import make_room

    room = make_room(public_network, name="General")
    client = api(member)
    muted = api(moderator).post(
        f"/api/v1/networks/{public_network.slug}/members/{member.pk}/mute/",
        {"minutes": MUTE_MINUTES},
        format="json",
    )
    assert muted.status_code == 200, muted.content
    until = muted.json()["muted_until"]
    assert until is not None

    assert client.post(f"/api/v1/networks/{public_network.slug}/leave/").status_code == 200
    rejoined = client.post(f"/api/v1/networks/{public_network.slug}/join/", {}, format="json")

    assert rejoined.status_code == 200, rejoined.content
    assert rejoined.json()["status"] == "active"
    assert rejoined.json()["muted_until"] == until
    detail = client.get(f"/api/v1/networks/{public_network.slug}/").json()
    assert detail["my_membership"]["muted_until"] == until
    sent = client.post(
        f"/api/v1/rooms/{room.pk}/messages/", {"body": "I am back", "client_id": "x"}, format="json"
    )
    assert_error(sent, 403, "muted")


def test_web_leave_and_rejoin_keeps_the_mute(
    client: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    until = _mute(moderator, member, public_network)
    client.force_login(member)

    assert client.post(f"/networks/{public_network.slug}/leave/").status_code == 302
    assert client.post(f"/networks/{public_network.slug}/join/", {}).status_code == 302

    _assert_still_muted(member, public_network, until)
    page = client.get(f"/networks/{public_network.slug}/")
    assert "You are muted until" in page.content.decode()
