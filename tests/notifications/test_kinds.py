"""The community kinds through `do_notify`: who gets what, and nothing for someone who may
not read the network."""

from __future__ import annotations

from typing import Any

import pytest

from community.actions import membership as members
from community.models import Membership, Network
from notifications.actions import do_notify
from notifications.models import Notification
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def kinds_of(user: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(n.kind, n.data) for n in Notification.objects.filter(recipient=user).order_by("id")]


def test_join_request_reaches_the_holders_of_manage_members(
    owner: Any, moderator: Any, member: Any, private_network: Network
) -> None:
    applicant = make_user("applicant")
    members.do_join_network(applicant, private_network, message="hello")
    rows = Notification.objects.filter(kind=Kind.JOIN_REQUEST)
    assert {n.recipient_id for n in rows} == {owner.pk, moderator.pk}
    assert all(n.actor_id == applicant.pk and n.network_id == private_network.pk for n in rows)
    assert kinds_of(member) == [] and kinds_of(applicant) == []


def test_open_join_notifies_nobody(public_network: Network) -> None:
    members.do_join_network(make_user("newcomer"), public_network)
    assert not Notification.objects.exists()


def test_approval_and_rejection_reach_the_requester(
    owner: Any, pending: Any, public_network: Network
) -> None:
    members.do_approve_member(owner, public_network, pending.pk)
    assert kinds_of(pending) == [(Kind.JOIN_DECISION, {"decision": "approved"})]
    other = make_user("other")
    add_member(public_network, other, status=Membership.Status.PENDING)
    members.do_reject_member(owner, public_network, other.pk)
    assert kinds_of(other) == [(Kind.JOIN_DECISION, {"decision": "rejected"})]


def test_rejection_from_a_private_network_stores_nothing(
    owner: Any, pending: Any, private_network: Network
) -> None:
    """The rejected requester may not read the network: the access rule drops it."""
    members.do_reject_member(owner, private_network, pending.pk)
    assert kinds_of(pending) == []


def test_role_change_and_mute_reach_the_member(
    owner: Any, member: Any, public_network: Network
) -> None:
    members.do_set_role(owner, public_network, member.pk, Membership.Role.MODERATOR)
    members.do_mute_member(owner, public_network, member.pk, 30)
    (role_kind, role_data), (mute_kind, mute_data) = kinds_of(member)
    assert (role_kind, role_data) == (Kind.ROLE_CHANGE, {"role": "moderator", "previous": "member"})
    assert mute_kind == Kind.MODERATION and mute_data["action"] == "muted" and mute_data["until"]


def test_ban_stores_nothing_for_the_banned(
    owner: Any, member: Any, public_network: Network
) -> None:
    members.do_ban_member(owner, public_network, member.pk, "spam")
    assert kinds_of(member) == []


def test_do_notify_skips_actor_outsider_banned_and_uses_one_insert(
    django_assert_num_queries: Any,
    owner: Any,
    member: Any,
    moderator: Any,
    banned: Any,
    outsider: Any,
    private_network: Network,
) -> None:
    many = [make_user(f"reader{i}") for i in range(20)]
    for user in many:
        add_member(private_network, user)
    recipients = [owner.pk, member.pk, moderator.pk, banned.pk, outsider.pk] + [u.pk for u in many]
    # One query to find the readers among all, one INSERT for all of them.
    with django_assert_num_queries(2):
        rows = do_notify(recipients, Kind.MODERATION, network=private_network, actor=owner, data={})
    assert {r.recipient_id for r in rows} == {member.pk, moderator.pk} | {u.pk for u in many}


def test_unknown_kind_is_refused(owner: Any, public_network: Network) -> None:
    with pytest.raises(ValueError):
        do_notify([owner.pk], "gossip", network=public_network, actor=None)
