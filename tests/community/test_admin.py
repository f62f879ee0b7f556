"""The admin goes through the community actions: audited, grants in sync, nothing bare."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from community.models import AuditEntry, Invitation, Membership, Network
from tests.community.helpers import MEMBER_GRANTS, OWNER_GRANTS, grants, nothing_written
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db: Any) -> Any:
    return make_user("root", staff=True, is_superuser=True)


@pytest.fixture
def admin_client(root: Any) -> Client:
    client = Client()
    client.force_login(root)
    return client


def run_action(client: Client, model: str, action: str, ids: list[int]) -> Any:
    return client.post(
        f"/admin/community/{model}/",
        {"action": action, "_selected_action": [str(i) for i in ids]},
        follow=True,
    )


def test_adding_a_network_in_the_admin_makes_the_admin_its_owner(
    admin_client: Client, root: Any
) -> None:
    response = admin_client.post(
        "/admin/community/network/add/",
        {
            "name": "Aviation professionals in Canada",
            "slug": "aviation-canada",
            "kind": "thematic",
            "theme": "aviation",
            "country": "",
            "description": "Pilotes, ingénieurs et contrôleurs aériens.",
            "visibility": "public",
            "join_policy": "approval",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    network = Network.objects.get(slug="aviation-canada")
    assert Membership.objects.get(network=network).user == root
    assert grants(root, network) == OWNER_GRANTS
    assert AuditEntry.objects.get(network=network).action == "network.create"


def test_admin_form_applies_the_kind_rules(admin_client: Client) -> None:
    with nothing_written():
        response = admin_client.post(
            "/admin/community/network/add/",
            {
                "name": "France",
                "slug": "france",
                "kind": "geographic",
                "visibility": "public",
                "join_policy": "open",
            },
        )

    assert response.status_code == 200
    assert "A geographic network needs a country." in response.content.decode()


def test_editing_a_network_in_the_admin_is_audited_and_keeps_the_slug(
    admin_client: Client, root: Any, public_network: Network
) -> None:
    page = admin_client.get(f"/admin/community/network/{public_network.pk}/change/")
    response = admin_client.post(
        f"/admin/community/network/{public_network.pk}/change/",
        {
            "name": "Allemagne",
            "slug": "hijacked",
            "kind": "geographic",
            "country": "de",
            "theme": "",
            "description": public_network.description,
            "visibility": "hidden",
            "join_policy": "open",
        },
    )

    assert page.status_code == 200 and response.status_code == 302
    public_network.refresh_from_db()
    assert (public_network.name, public_network.slug, public_network.visibility) == (
        "Allemagne",
        "germany",
        "hidden",
    )
    entry = AuditEntry.objects.filter(network=public_network).latest("id")
    assert (entry.actor, entry.action) == (root, "network.update")
    assert entry.details["changes"] == {
        "name": ["Germany", "Allemagne"],
        "visibility": ["public", "hidden"],
    }


def test_networks_are_archived_not_deleted(admin_client: Client, public_network: Network) -> None:
    response = admin_client.get(f"/admin/community/network/{public_network.pk}/delete/")

    assert response.status_code == 403


def test_admin_ban_calls_the_action(
    admin_client: Client, root: Any, member: Any, public_network: Network
) -> None:
    membership = Membership.objects.get(user=member, network=public_network)

    response = run_action(admin_client, "membership", "banned", [membership.pk])

    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.status, membership.acted_by) == ("banned", root)
    assert grants(member, public_network) == set()
    entry = AuditEntry.objects.filter(network=public_network).latest("id")
    assert (entry.actor, entry.action, entry.target_user) == (root, "member.ban", member)
    assert "Banned: 1 membership(s)." in response.content.decode()


def test_admin_approve_and_unban_call_the_actions(
    admin_client: Client, pending: Any, banned: Any, public_network: Network
) -> None:
    ids = {
        m.user_id: m.pk
        for m in Membership.objects.filter(network=public_network, user__in=[pending, banned])
    }

    run_action(admin_client, "membership", "approved", [ids[pending.pk]])
    run_action(admin_client, "membership", "unbanned", [ids[banned.pk]])

    statuses = dict(Membership.objects.filter(pk__in=ids.values()).values_list("user_id", "status"))
    assert statuses == {pending.pk: "active", banned.pk: "left"}
    assert grants(pending, public_network) == MEMBER_GRANTS
    actions_logged = set(
        AuditEntry.objects.filter(network=public_network).values_list("action", flat=True)
    )
    assert {"member.approve", "member.unban"} <= actions_logged


def test_admin_action_refused_by_the_rules_reports_it_and_writes_nothing(
    admin_client: Client, owner: Any, public_network: Network
) -> None:
    membership = Membership.objects.get(user=owner, network=public_network)

    with nothing_written():
        response = run_action(admin_client, "membership", "banned", [membership.pk])

    assert "Not banned: owner in Germany: The last owner cannot go" in response.content.decode()


def test_memberships_are_read_only_in_the_admin(
    admin_client: Client, member: Any, public_network: Network
) -> None:
    membership = Membership.objects.get(user=member, network=public_network)
    url = f"/admin/community/membership/{membership.pk}/change/"

    with nothing_written():
        view = admin_client.get(url)
        edit = admin_client.post(url, {"role": "owner", "status": "active"})
        add = admin_client.get("/admin/community/membership/add/")

    assert view.status_code == 200
    assert edit.status_code == 403 and add.status_code == 403


def test_invitations_are_created_and_revoked_through_the_actions(
    admin_client: Client, root: Any, hidden_network: Network
) -> None:
    created = admin_client.post(
        "/admin/community/invitation/add/",
        {"network": hidden_network.pk, "email": "", "max_uses": "3", "expires_in_hours": "24"},
    )
    invitation = Invitation.objects.get(network=hidden_network)
    run_action(admin_client, "invitation", "revoke", [invitation.pk])

    assert created.status_code == 302
    invitation.refresh_from_db()
    assert invitation.max_uses == 3 and invitation.expires_at is not None
    assert invitation.revoked_at is not None
    logged = list(
        AuditEntry.objects.filter(network=hidden_network, actor=root)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert logged == ["invitation.create", "invitation.revoke"]


def test_audit_log_and_grants_are_visible_but_not_editable(
    admin_client: Client, public_network: Network
) -> None:
    entry = AuditEntry.objects.filter(network=public_network).first()
    assert entry is not None

    assert admin_client.get("/admin/community/auditentry/").status_code == 200
    assert admin_client.get(f"/admin/community/auditentry/{entry.pk}/change/").status_code == 200
    assert admin_client.get("/admin/community/auditentry/add/").status_code == 403
    assert admin_client.get(f"/admin/community/auditentry/{entry.pk}/delete/").status_code == 403
    grants_page = admin_client.get("/admin/permissions/networkuserobjectpermission/")
    assert grants_page.status_code == 200
    assert "Edit the network, change roles and grant permissions" in grants_page.content.decode()


def test_staff_without_admin_rights_cannot_run_membership_actions(
    member: Any, public_network: Network
) -> None:
    plain_staff = make_user("helpdesk", staff=True)
    client = Client()
    client.force_login(plain_staff)
    membership = Membership.objects.get(user=member, network=public_network)

    with nothing_written():
        response = run_action(client, "membership", "banned", [membership.pk])

    assert response.status_code == 403
