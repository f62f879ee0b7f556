"""Membership actions: the rows they write, the audit entry, the guardian grants, the events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from community.actions import membership as members
from community.actions import networks
from community.models import AuditEntry, Membership, Network
from core.errors import InvalidInput, NotAllowed, StateConflict
from permissions import checks
from permissions.models import NetworkUserObjectPermission
from tests.community.helpers import (
    MEMBER_GRANTS,
    MODERATOR_GRANTS,
    OWNER_GRANTS,
    grants,
    nothing_written,
)
from tests.factories.networks import add_member, make_network

pytestmark = pytest.mark.django_db

Status = Membership.Status
Role = Membership.Role
Events = list[tuple[str, dict[str, Any]]]


def last_audit(network: Network) -> AuditEntry:
    return AuditEntry.objects.filter(network=network).latest("id")


def membership_events(sent: Events, user: Any, network: Network) -> list[dict[str, Any]]:
    """The community.membership events sent to the user's or to the network's group (only the
    user's own sockets receive them: none goes to the network's)."""
    return [
        event
        for group, event in sent
        if group in (f"user.{user.pk}", f"network.{network.pk}")
        and event["type"] == "community.membership"
    ]


def revoked(sent: Events, user: Any) -> list[dict[str, Any]]:
    return [e for g, e in sent if g == f"user.{user.pk}" and e["type"] == "access.revoked"]


def test_creating_a_network_makes_the_creator_its_owner(
    staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        network = networks.do_create_network(
            staff,
            name="الشبكة الطبية",
            slug="medecins",
            kind="thematic",
            theme="health",
            visibility="private",
            join_policy="approval",
        )

    membership = Membership.objects.get(network=network)
    assert (membership.user, membership.role, membership.status) == (staff, "owner", "active")
    assert network.name == "الشبكة الطبية" and network.created_by == staff
    assert grants(staff, network) == OWNER_GRANTS
    entry = last_audit(network)
    assert (entry.actor, entry.action, entry.target_type, entry.target_id) == (
        staff,
        "network.create",
        "network",
        network.pk,
    )


def test_guardian_answers_from_the_direct_foreign_key_grants(
    owner: Any, member: Any, outsider: Any, public_network: Network
) -> None:
    assert owner.has_perm("community.administer_network", public_network)
    assert member.has_perm("community.participate_network", public_network)
    assert not member.has_perm("community.moderate_network", public_network)
    assert not outsider.has_perm("community.read_network", public_network)


def test_deleting_a_network_deletes_its_grants(owner: Any, public_network: Network) -> None:
    assert NetworkUserObjectPermission.objects.filter(content_object=public_network).exists()

    public_network.delete()

    assert not NetworkUserObjectPermission.objects.exists()


def test_joining_an_open_network_makes_an_active_member(
    owner: Any,
    outsider: Any,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    network = make_network(owner, join_policy="open")

    with django_capture_on_commit_callbacks(execute=True):
        membership = members.do_join_network(outsider, network, message="Salam 👋")

    membership.refresh_from_db()
    assert (membership.role, membership.status) == ("member", "active")
    assert membership.joined_at is not None and membership.join_message == "Salam 👋"
    assert grants(outsider, network) == MEMBER_GRANTS
    entry = last_audit(network)
    assert (entry.actor, entry.action, entry.target_user) == (outsider, "member.join", outsider)
    events = membership_events(sent_events, outsider, network)
    assert len(events) == 1  # to the user's own sockets, not to the network's group
    assert events[0] == {
        "type": "community.membership",
        "network": network.pk,
        "user": outsider.pk,
        "role": "member",
        "status": "active",
        "muted_until": None,
    }


def test_join_request_waits_for_approval_then_becomes_membership(
    owner: Any,
    moderator: Any,
    outsider: Any,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    network = make_network(owner, join_policy="approval", visibility="private")
    add_member(network, moderator, Role.MODERATOR)

    with django_capture_on_commit_callbacks(execute=True):
        request = members.do_join_network(outsider, network, message="Cardiologue à Lyon")
    assert request.status == "pending"
    assert grants(outsider, network) == set()
    assert last_audit(network).action == "member.request"
    assert not checks.may_read(outsider, Network.objects.get(pk=network.pk))

    with django_capture_on_commit_callbacks(execute=True):
        approved = members.do_approve_member(moderator, network, outsider.pk)

    approved.refresh_from_db()
    assert (approved.status, approved.acted_by) == ("active", moderator)
    assert grants(outsider, network) == MEMBER_GRANTS
    entry = last_audit(network)
    assert (entry.actor, entry.action, entry.target_user) == (moderator, "member.approve", outsider)
    assert [e["status"] for e in membership_events(sent_events, outsider, network)] == [
        "pending",
        "active",
    ]


def test_rejected_request_leaves_no_access_and_may_be_made_again(owner: Any, outsider: Any) -> None:
    network = make_network(owner, join_policy="approval")
    members.do_join_network(outsider, network)

    members.do_reject_member(owner, network, outsider.pk, reason="Incomplete profile")

    membership = Membership.objects.get(user=outsider, network=network)
    assert membership.status == "left" and grants(outsider, network) == set()
    assert (last_audit(network).action, last_audit(network).reason) == (
        "member.reject",
        "Incomplete profile",
    )
    assert members.do_join_network(outsider, network).status == "pending"


def test_ban_ends_access_at_once_and_rejoining_is_refused(
    owner: Any,
    moderator: Any,
    member: Any,
    public_network: Network,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        members.do_ban_member(moderator, public_network, member.pk, reason="Spam links")

    membership = Membership.objects.get(user=member, network=public_network)
    assert (membership.status, membership.ban_reason) == ("banned", "Spam links")
    assert grants(member, public_network) == set()
    entry = last_audit(public_network)
    assert (entry.action, entry.reason, entry.target_user) == ("member.ban", "Spam links", member)
    assert revoked(sent_events, member) == [
        {"type": "access.revoked", "network": public_network.pk}
    ]
    fresh = Network.objects.get(pk=public_network.pk)
    assert not checks.may_read(member, fresh)
    assert public_network.pk not in checks.readable_network_ids(member)

    with nothing_written(), pytest.raises(NotAllowed) as refused:
        members.do_join_network(member, fresh)
    assert refused.value.code == "banned"


def test_a_ban_can_reach_someone_who_never_joined(
    owner: Any, outsider: Any, public_network: Network
) -> None:
    members.do_ban_member(owner, public_network, outsider.pk, reason="Known troll")

    membership = Membership.objects.get(user=outsider, network=public_network)
    assert membership.status == "banned"
    with pytest.raises(NotAllowed):
        members.do_join_network(outsider, public_network)


def test_unban_lets_the_user_join_again_by_the_networks_policy(
    owner: Any, banned: Any, public_network: Network
) -> None:
    members.do_unban_member(owner, public_network, banned.pk)

    membership = Membership.objects.get(user=banned, network=public_network)
    assert (membership.status, membership.ban_reason) == ("left", "")
    assert last_audit(public_network).action == "member.unban"
    assert members.do_join_network(banned, public_network).status == "active"


def test_muted_member_reads_but_cannot_participate_until_unmuted(
    moderator: Any,
    member: Any,
    public_network: Network,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        members.do_mute_member(moderator, public_network, member.pk, 30, "Cool down")

    fresh = Network.objects.get(pk=public_network.pk)
    assert checks.may_read(member, fresh) and not checks.may_participate(member, fresh)
    with pytest.raises(NotAllowed) as muted:
        checks.check_can_participate(member, fresh)
    assert muted.value.code == "muted"
    entry = last_audit(public_network)
    assert (entry.action, entry.details) == ("member.mute", {"minutes": 30})
    assert membership_events(sent_events, member, public_network)[0]["muted_until"] is not None

    members.do_unmute_member(moderator, public_network, member.pk)

    assert checks.may_participate(member, Network.objects.get(pk=public_network.pk))
    assert last_audit(public_network).action == "member.unmute"


def test_removed_member_loses_access_and_subscriptions(
    moderator: Any,
    member: Any,
    private_network: Network,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        members.do_remove_member(moderator, private_network, member.pk, reason="Left the field")

    assert Membership.objects.get(user=member, network=private_network).status == "left"
    assert grants(member, private_network) == set()
    assert revoked(sent_events, member) == [
        {"type": "access.revoked", "network": private_network.pk}
    ]
    assert not checks.may_read(member, Network.objects.get(pk=private_network.pk))


def test_owner_sets_roles_and_grants_follow(
    owner: Any, member: Any, public_network: Network
) -> None:
    members.do_set_role(owner, public_network, member.pk, "moderator")
    assert grants(member, public_network) == MODERATOR_GRANTS
    entry = last_audit(public_network)
    assert (entry.action, entry.details) == (
        "member.set_role",
        {"previous": "member", "role": "moderator"},
    )

    members.do_set_role(owner, public_network, member.pk, "owner")
    assert grants(member, public_network) == OWNER_GRANTS

    members.do_set_role(owner, public_network, member.pk, "member")
    assert grants(member, public_network) == MEMBER_GRANTS


def test_leaving_drops_grants_and_closes_subscriptions(
    member: Any,
    public_network: Network,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        members.do_leave_network(member, public_network)

    assert Membership.objects.get(user=member, network=public_network).status == "left"
    assert grants(member, public_network) == set()
    assert last_audit(public_network).action == "member.leave"
    assert len(revoked(sent_events, member)) == 1


def test_pending_user_withdraws_their_request_by_leaving(
    pending: Any, private_network: Network
) -> None:
    members.do_leave_network(pending, private_network)

    assert Membership.objects.get(user=pending, network=private_network).status == "left"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda n, p: members.do_leave_network(p("owner"), n), "last_owner"),
        (lambda n, p: members.do_join_network(p("member"), n), "already_member"),
        (lambda n, p: members.do_approve_member(p("moderator"), n, p("member").pk), "wrong_status"),
        (lambda n, p: members.do_set_role(p("moderator"), n, p("member").pk, "owner"), "not_owner"),
        (lambda n, p: members.do_set_role(p("owner"), n, p("owner").pk, "member"), "self_action"),
        (lambda n, p: members.do_ban_member(p("moderator"), n, p("owner").pk), "rank"),
        (lambda n, p: members.do_mute_member(p("member"), n, p("owner").pk, 5), "not_moderator"),
        (lambda n, p: members.do_mute_member(p("owner"), n, p("member").pk, 0), "invalid"),
        (lambda n, p: members.do_set_role(p("owner"), n, p("member").pk, "king"), "invalid"),
    ],
)
def test_refused_action_writes_nothing_and_sends_nothing(
    public_network: Network,
    persona: Callable[[str], Any],
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
    call: Callable[[Network, Callable[[str], Any]], Any],
    code: str,
) -> None:
    with (
        nothing_written(),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises((NotAllowed, StateConflict, InvalidInput)) as refused,
    ):
        call(Network.objects.get(pk=public_network.pk), persona)

    assert refused.value.code == code
    assert callbacks == [] and sent_events == []


def test_editing_a_network_audits_the_changes_and_announces_visibility(
    owner: Any,
    public_network: Network,
    sent_events: Events,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        networks.do_update_network(
            owner, public_network, visibility="private", description="Nouveau", slug="ignored"
        )

    public_network.refresh_from_db()
    assert (public_network.slug, public_network.visibility) == ("germany", "private")
    entry = last_audit(public_network)
    assert entry.action == "network.update"
    assert entry.details["changes"] == {
        "visibility": ["public", "private"],
        "description": ["Moroccan professionals living in Germany.", "Nouveau"],
    }
    assert (
        f"network.{public_network.pk}",
        {
            "type": "community.network",
            "network": public_network.pk,
            "visibility": "private",
        },
    ) in sent_events


def test_an_edit_that_changes_nothing_is_not_audited(owner: Any, public_network: Network) -> None:
    before = AuditEntry.objects.count()

    networks.do_update_network(owner, public_network, name="Germany")

    assert AuditEntry.objects.count() == before


def test_events_reach_the_channel_layer_after_commit(
    owner: Any, outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The configured layer: a socket in the user's group receives the membership event.

    One event loop for the whole exchange: the Redis pub/sub layer only knows channels
    created in its own loop.
    """
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert layer is not None
    network = make_network(owner)

    def join() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            members.do_join_network(outsider, network)

    async def exchange() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.group_add(f"user.{outsider.pk}", channel)
        try:
            await sync_to_async(join)()
            return await asyncio.wait_for(layer.receive(channel), timeout=5)
        finally:
            await layer.group_discard(f"user.{outsider.pk}", channel)

    message = async_to_sync(exchange)()
    assert message["type"] == "community.membership"
    assert (message["user"], message["network"], message["status"]) == (
        outsider.pk,
        network.pk,
        "active",
    )


def test_another_owner_may_be_demoted_by_an_owner(
    owner: Any, moderator: Any, public_network: Network
) -> None:
    members.do_set_role(owner, public_network, moderator.pk, "owner")

    members.do_set_role(owner, public_network, moderator.pk, "member")

    assert grants(moderator, public_network) == MEMBER_GRANTS
