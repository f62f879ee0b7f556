"""permissions.checks: the role vocabulary, the access helpers and the cached readable set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from community.actions import membership as membership_actions
from community.actions import networks as network_actions
from community.models import Membership, Network
from core.errors import NotAllowed, NotFound
from permissions import checks
from permissions.roles import ROLE_PERMS, Perm, perms_for
from tests.factories.networks import make_network

pytestmark = pytest.mark.django_db


def test_roles_nest_and_only_active_memberships_carry_grants() -> None:
    assert ROLE_PERMS["member"] < ROLE_PERMS["moderator"] < ROLE_PERMS["owner"]
    assert ROLE_PERMS["owner"] == frozenset(Perm)
    for status in ("pending", "invited", "banned", "left"):
        assert perms_for(Membership(role="owner", status=status)) == frozenset()


def test_every_permission_of_the_vocabulary_exists_on_the_network_content_type() -> None:
    declared = set(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Network)
        ).values_list("codename", flat=True)
    )
    assert {perm.value for perm in Perm} <= declared
    assert not Network._meta.permissions  # one source: permissions/roles.py


READABLE = {
    # who: (public, private, hidden)
    "owner": (True, True, True),
    "moderator": (True, True, True),
    "member": (True, True, True),
    "pending": (True, False, False),
    "banned": (False, False, False),
    "outsider": (True, False, False),
    "staff": (True, True, True),
    "anonymous": (False, False, False),
}


@pytest.mark.parametrize("who", READABLE)
def test_readable_networks_follow_membership_and_visibility(
    persona: Callable[[str], Any],
    public_network: Network,
    private_network: Network,
    hidden_network: Network,
    who: str,
) -> None:
    user = persona(who) or AnonymousUser()
    networks = (public_network, private_network, hidden_network)

    by_check = tuple(checks.may_read(user, n) for n in networks)
    by_ids = tuple(n.pk in checks.readable_network_ids(user) for n in networks)
    by_queryset = tuple(
        checks.filter_readable_networks(user).filter(pk=n.pk).exists() for n in networks
    )

    assert by_check == by_ids == by_queryset == READABLE[who]


def test_readable_ids_are_cached_after_one_query(
    member: Any,
    public_network: Network,
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        first = checks.readable_network_ids(member)
    with django_assert_num_queries(0):
        second = checks.readable_network_ids(member)

    assert first == second == {public_network.pk}


def test_cached_ids_follow_a_join(
    owner: Any, outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    network = make_network(owner, visibility="private")
    assert network.pk not in checks.readable_network_ids(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        membership_actions.do_join_network(outsider, network)

    assert network.pk in checks.readable_network_ids(outsider)


def test_cached_ids_follow_a_ban(
    moderator: Any,
    member: Any,
    public_network: Network,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert public_network.pk in checks.readable_network_ids(member)

    with django_capture_on_commit_callbacks(execute=True):
        membership_actions.do_ban_member(moderator, public_network, member.pk)

    assert public_network.pk not in checks.readable_network_ids(member)


def test_cached_ids_follow_a_visibility_change(
    owner: Any,
    outsider: Any,
    public_network: Network,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert public_network.pk in checks.readable_network_ids(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        network_actions.do_update_network(owner, public_network, visibility="private")

    assert public_network.pk not in checks.readable_network_ids(outsider)


def test_cached_ids_follow_a_new_public_network(
    owner: Any, outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert checks.readable_network_ids(outsider) == frozenset()

    with django_capture_on_commit_callbacks(execute=True):
        network = make_network(owner, visibility="public")

    assert checks.readable_network_ids(outsider) == {network.pk}


def test_a_rolled_back_change_leaves_the_cache_and_the_channel_layer_alone(
    moderator: Any,
    member: Any,
    public_network: Network,
    django_capture_on_commit_callbacks: Any,
) -> None:
    checks.readable_network_ids(member)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        membership_actions.do_ban_member(moderator, public_network, member.pk)
        raise RuntimeError("a later step of the same request failed")

    assert callbacks == []
    assert Membership.objects.get(user=member, network=public_network).status == "active"
    assert public_network.pk in checks.readable_network_ids(member)


def test_access_network_hides_hidden_networks_from_outsiders(
    outsider: Any, member: Any, hidden_network: Network
) -> None:
    with pytest.raises(NotFound):
        checks.access_network(outsider, "lawyers")
    with pytest.raises(NotFound):
        checks.access_network(member, ["lawyers"])
    assert checks.access_network(member, "lawyers") == hidden_network


def test_archived_networks_disappear_except_for_staff_and_owners(
    api: Callable[[Any], Any], owner: Any, member: Any, staff: Any, public_network: Network
) -> None:
    archived = api(owner).patch("/api/v1/networks/germany/", {"archived": True}, format="json")

    assert archived.status_code == 200
    with pytest.raises(NotFound):
        checks.access_network(member, "germany")
    assert not checks.filter_visible_networks(member).exists()
    assert checks.access_network(staff, "germany") == public_network
    # The owner can still open it, to bring it back.
    restored = api(owner).patch("/api/v1/networks/germany/", {"archived": False}, format="json")
    assert restored.status_code == 200
    assert checks.access_network(member, "germany") == public_network


def test_content_of_private_networks_looks_missing_but_a_public_ban_says_so(
    banned: Any, outsider: Any, public_network: Network, private_network: Network
) -> None:
    with pytest.raises(NotFound):
        checks.access_network_content(outsider, "medical")
    with pytest.raises(NotFound):
        checks.access_network_content(banned, "medical")
    with pytest.raises(NotAllowed) as refused:
        checks.access_network_content(banned, "germany")
    assert refused.value.code == "banned"


def test_outsiders_read_public_networks_but_only_members_participate(
    outsider: Any, member: Any, public_network: Network
) -> None:
    checks.check_can_read(outsider, public_network)
    with pytest.raises(NotAllowed) as refused:
        checks.check_can_participate(outsider, public_network)
    assert refused.value.code == "not_member"
    checks.check_can_participate(member, public_network)


def test_access_costs_one_query_for_a_member(
    member: Any, public_network: Network, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        network = checks.access_network_content(member, "germany")
        assert checks.may_participate(member, network)
        assert not checks.may_moderate(member, network)
        assert checks.get_membership(member, network) is not None


def test_moderated_network_ids_answers_may_moderate_for_many_in_one_query(
    owner: Any,
    moderator: Any,
    member: Any,
    staff: Any,
    public_network: Network,
    private_network: Network,
    hidden_network: Network,
    django_assert_num_queries: Any,
) -> None:
    networks = [public_network, private_network, hidden_network]
    ids = {n.pk for n in networks}
    for user in (owner, moderator, member, staff, AnonymousUser()):
        expected = {n.pk for n in networks if checks.may_moderate(user, n)}
        with django_assert_num_queries(0 if user is staff or not user.is_authenticated else 1):
            assert checks.moderated_network_ids(user, ids) == expected
    assert checks.moderated_network_ids(member, ids) == set()
    assert checks.moderated_network_ids(moderator, ids) >= {public_network.pk}


def test_a_granted_members_permissions_cost_the_same_one_query(
    owner: Any, member: Any, public_network: Network, django_assert_num_queries: Any
) -> None:
    from community.actions.grants import do_set_permissions

    do_set_permissions(owner, public_network, member.pk, grant=["manage_rooms"])
    with django_assert_num_queries(1):
        network = checks.access_network_content(member, "germany")
        assert checks.may_manage_rooms(member, network)
        assert not checks.may_moderate_forums(member, network)
        assert checks.may_moderate(member, network)
        assert not checks.may_manage_members(member, network)


def test_a_page_of_members_permissions_is_one_query(
    owner: Any, moderator: Any, member: Any, public_network: Network, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        held = checks.held_permissions_of_many(public_network, [owner.pk, moderator.pk, member.pk])
    assert held[owner.pk] == frozenset(Perm)
    assert held[member.pk] == ROLE_PERMS["member"]
