"""GET/POST /networks/{slug}/members/{id}/permissions/: each grant and withdrawal, the
audit entry, who may look and who may change, and what survives a role change."""

from __future__ import annotations

from typing import Any

import pytest

from community.actions import membership as membership_actions
from community.models import AuditEntry, Membership, Network
from permissions.models import PermissionOverride
from permissions.roles import GRANTABLE, ROLE_PERMS, Perm
from tests.community.helpers import assert_error, grants
from tests.factories.users import client_for

pytestmark = pytest.mark.django_db

BUNDLE = {
    role: sorted(p.value for p in perms) for role, perms in ROLE_PERMS.items()
}  # role → its default codenames


def path(network: Network, user: Any) -> str:
    return f"/api/v1/networks/{network.slug}/members/{user.pk}/permissions/"


def change(actor: Any, network: Network, target: Any, **body: Any) -> Any:
    return client_for(actor).post(path(network, target), body, format="json")


@pytest.mark.parametrize("perm", sorted(GRANTABLE - ROLE_PERMS["member"]))
def test_an_owner_grants_a_member_each_permission(
    owner: Any, member: Any, public_network: Network, perm: Perm
) -> None:
    response = change(owner, public_network, member, grant=[perm.value])

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "role": "member",
        "permissions": sorted([*BUNDLE["member"], perm.value]),
        "granted": [perm.value],
        "revoked": [],
    }
    assert grants(member, public_network) == {*BUNDLE["member"], perm.value}
    entry = AuditEntry.objects.filter(network=public_network, action="member.permissions").get()
    assert entry.actor_id == owner.pk
    assert entry.target_user_id == member.pk
    assert entry.details["grant"] == [perm.value]
    assert entry.details["revoke"] == []
    assert entry.details["after"] == body["permissions"]


@pytest.mark.parametrize("perm", sorted(GRANTABLE & ROLE_PERMS["moderator"]))
def test_an_owner_withdraws_each_permission_of_a_moderator(
    owner: Any, moderator: Any, public_network: Network, perm: Perm
) -> None:
    response = change(owner, public_network, moderator, revoke=[perm.value])

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["role"] == "moderator"
    assert body["permissions"] == sorted(set(BUNDLE["moderator"]) - {perm.value})
    assert body["revoked"] == [perm.value] and body["granted"] == []
    assert grants(moderator, public_network) == set(BUNDLE["moderator"]) - {perm.value}
    entry = AuditEntry.objects.get(network=public_network, action="member.permissions")
    assert entry.details["revoke"] == [perm.value]
    assert perm.value in entry.details["before"] and perm.value not in entry.details["after"]


def test_granting_back_a_withdrawn_permission_clears_the_override(
    owner: Any, moderator: Any, public_network: Network
) -> None:
    change(owner, public_network, moderator, revoke=["manage_rooms"])
    response = change(owner, public_network, moderator, grant=["manage_rooms"])

    assert response.json()["revoked"] == [] and response.json()["granted"] == []
    assert grants(moderator, public_network) == set(BUNDLE["moderator"])
    assert not PermissionOverride.objects.exists()
    assert AuditEntry.objects.filter(action="member.permissions").count() == 2


def test_unknown_and_coarse_codenames_are_refused_with_the_field(
    owner: Any, member: Any, public_network: Network
) -> None:
    for body, field in [
        ({"grant": ["fly"]}, "grant"),
        ({"revoke": ["administer_network"]}, "revoke"),
        ({"grant": ["read_network"]}, "grant"),
        ({"grant": ["manage_rooms"], "revoke": ["manage_rooms"]}, "revoke"),
        ({}, "grant"),
        ({"grant": "manage_rooms"}, "grant"),
    ]:
        error = assert_error(change(owner, public_network, member, **body), 400, "invalid")
        assert field in error["fields"], (body, error)
    assert grants(member, public_network) == set(BUNDLE["member"])
    assert not AuditEntry.objects.filter(action="member.permissions").exists()


def test_only_owners_change_permissions(
    moderator: Any, member: Any, outsider: Any, public_network: Network
) -> None:
    assert_error(
        change(moderator, public_network, member, grant=["manage_rooms"]), 403, "not_owner"
    )
    assert_error(change(member, public_network, member, grant=["manage_rooms"]), 403, "not_owner")
    assert_error(change(outsider, public_network, member, grant=["manage_rooms"]), 403, "not_owner")
    assert grants(member, public_network) == set(BUNDLE["member"])


def test_not_to_a_non_member_a_banned_member_an_owner_or_oneself(
    owner: Any,
    outsider: Any,
    pending: Any,
    banned: Any,
    public_network: Network,
) -> None:
    other_owner = outsider
    assert_error(change(owner, public_network, outsider, grant=["manage_rooms"]), 404)
    assert_error(change(owner, public_network, pending, grant=["manage_rooms"]), 404)
    assert_error(change(owner, public_network, banned, grant=["manage_rooms"]), 409, "banned")
    assert_error(change(owner, public_network, owner, revoke=["manage_rooms"]), 403, "self_action")
    membership_actions.do_join_network(other_owner, public_network)
    membership_actions.do_set_role(owner, public_network, other_owner.pk, "owner")
    assert_error(change(owner, public_network, other_owner, revoke=["manage_rooms"]), 409, "owner")
    assert not PermissionOverride.objects.exists()


def test_the_member_and_moderators_read_the_permissions_others_do_not(
    owner: Any, moderator: Any, member: Any, outsider: Any, public_network: Network
) -> None:
    change(owner, public_network, member, grant=["view_insights"])
    expected = {
        "role": "member",
        "permissions": sorted([*BUNDLE["member"], "view_insights"]),
        "granted": ["view_insights"],
        "revoked": [],
    }
    for viewer in (member, moderator, owner):
        response = client_for(viewer).get(path(public_network, member))
        assert response.status_code == 200, (viewer, response.content)
        assert response.json() == expected
    other = client_for(member).get(path(public_network, moderator))
    assert_error(other, 403, "not_moderator")
    assert_error(client_for(outsider).get(path(public_network, member)), 403, "not_moderator")
    assert client_for(None).get(path(public_network, member)).status_code in (401, 403)


def test_a_private_networks_member_permissions_look_missing_to_outsiders(
    outsider: Any, member: Any, private_network: Network
) -> None:
    assert_error(client_for(outsider).get(path(private_network, member)), 404)


def test_the_network_detail_lists_my_permissions(
    owner: Any, member: Any, public_network: Network
) -> None:
    change(owner, public_network, member, grant=["publish_calls"])

    mine = client_for(member).get(f"/api/v1/networks/{public_network.slug}/").json()
    assert mine["my_membership"]["permissions"] == sorted([*BUNDLE["member"], "publish_calls"])
    theirs = client_for(owner).get(f"/api/v1/networks/{public_network.slug}/").json()
    assert theirs["my_membership"]["permissions"] == sorted(p.value for p in Perm)


def test_overrides_survive_a_change_between_member_and_moderator(
    owner: Any, member: Any, public_network: Network
) -> None:
    change(owner, public_network, member, grant=["view_insights"], revoke=[])
    membership_actions.do_set_role(owner, public_network, member.pk, "moderator")
    change(owner, public_network, member, revoke=["manage_members"])
    assert grants(member, public_network) == (
        set(BUNDLE["moderator"]) - {"manage_members"} | {"view_insights"}
    )

    membership_actions.do_set_role(owner, public_network, member.pk, "member")
    assert grants(member, public_network) == {*BUNDLE["member"], "view_insights"}
    membership_actions.do_set_role(owner, public_network, member.pk, "moderator")
    assert "manage_members" not in grants(member, public_network)


def test_overrides_end_with_the_membership_and_on_becoming_an_owner(
    owner: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    change(owner, public_network, member, grant=["manage_rooms"])
    change(owner, public_network, moderator, revoke=["manage_rooms"])

    membership_actions.do_leave_network(member, public_network)
    membership_actions.do_join_network(member, public_network)
    assert grants(member, public_network) == set(BUNDLE["member"])
    membership_actions.do_set_role(owner, public_network, moderator.pk, "owner")
    assert grants(moderator, public_network) == set(BUNDLE["owner"])
    assert not PermissionOverride.objects.exists()


def test_a_ban_drops_the_overrides(owner: Any, member: Any, public_network: Network) -> None:
    change(owner, public_network, member, grant=["manage_rooms"])
    membership_actions.do_ban_member(owner, public_network, member.pk)
    membership_actions.do_unban_member(owner, public_network, member.pk)
    membership_actions.do_join_network(member, public_network)

    assert grants(member, public_network) == set(BUNDLE["member"])
    assert Membership.objects.get(user=member, network=public_network).role == "member"


def test_the_endpoint_is_in_the_openapi_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"]["/api/v1/networks/{slug}/members/{user_id}/permissions/"]
    assert {"get", "post"} <= set(operations)
    shape = schema["components"]["schemas"]["MemberPermissions"]
    assert set(shape["properties"]) == {"role", "permissions", "granted", "revoked"}
