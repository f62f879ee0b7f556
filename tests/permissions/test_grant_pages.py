"""The members page lets owners tick a member's permissions (a plain form, no script)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from community.models import AuditEntry, Network
from tests.community.helpers import grants
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(network: Network, user: Any) -> str:
    return f"/networks/{network.slug}/manage/members/{user.pk}/permissions/"


def test_owners_see_a_permission_form_per_member_moderators_do_not(
    owner: Any, moderator: Any, member: Any, public_network: Network
) -> None:
    page = signed_in(owner).get(f"/networks/{public_network.slug}/manage/members/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="permissions-{member.username}"' in html
    assert f'data-testid="permissions-{owner.username}"' not in html
    assert 'name="perm" value="manage_rooms"' in html
    moderated = signed_in(moderator).get(f"/networks/{public_network.slug}/manage/members/")
    assert 'name="perm"' not in moderated.content.decode()


def test_ticking_grants_and_unticking_withdraws(
    owner: Any, moderator: Any, public_network: Network
) -> None:
    kept = ["moderate_forums", "manage_members", "manage_meetings", "publish_calls"]
    response = signed_in(owner).post(
        url(public_network, moderator), {"perm": [*kept, "view_insights"]}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/networks/{public_network.slug}/manage/members/"
    assert grants(moderator, public_network) == {
        "read_network",
        "participate_network",
        *kept,
        "view_insights",
    }
    entry = AuditEntry.objects.get(action="member.permissions")
    assert entry.details["grant"] == ["view_insights"]
    assert entry.details["revoke"] == ["manage_rooms"]


def test_only_owners_reach_the_form_and_its_refusals_are_shown(
    owner: Any, moderator: Any, member: Any, banned: Any, public_network: Network
) -> None:
    refused = signed_in(moderator).post(url(public_network, member), {"perm": ["manage_rooms"]})
    assert refused.status_code == 404
    assert grants(member, public_network) == {"read_network", "participate_network"}

    shown = signed_in(owner).post(
        url(public_network, banned), {"perm": ["manage_rooms"]}, follow=True
    )
    assert shown.status_code == 200
    assert "banned" in shown.content.decode().lower()
    assert not AuditEntry.objects.filter(action="member.permissions").exists()


def test_an_unchanged_form_writes_nothing(owner: Any, public_network: Network) -> None:
    newcomer = make_user("newcomer")
    add_member(public_network, newcomer)
    signed_in(owner).post(url(public_network, newcomer), {})
    assert not AuditEntry.objects.filter(action="member.permissions").exists()


def test_the_admin_adds_and_deletes_overrides_through_the_action(
    admin_client: Client, member: Any, owner: Any, public_network: Network
) -> None:
    from community.models import Membership
    from permissions.models import PermissionOverride

    membership = Membership.objects.get(user=member, network=public_network)
    add = "/admin/permissions/permissionoverride/add/"
    refused = admin_client.post(
        add, {"membership": membership.pk, "codename": "manage_rooms", "granted": ""}
    )
    assert refused.status_code == 200  # withdrawing what a member lacks: nothing to override
    assert not PermissionOverride.objects.exists()
    owner_row = Membership.objects.get(user=owner, network=public_network)
    refused = admin_client.post(
        add, {"membership": owner_row.pk, "codename": "manage_rooms", "granted": ""}
    )
    assert "An owner holds every permission" in refused.content.decode()

    response = admin_client.post(
        add, {"membership": membership.pk, "codename": "manage_rooms", "granted": "on"}
    )
    assert response.status_code == 302, response.content[:2000]
    assert "manage_rooms" in grants(member, public_network)
    assert AuditEntry.objects.filter(action="member.permissions", target_user=member).exists()
    listing = admin_client.get("/admin/permissions/permissionoverride/")
    assert "manage_rooms" in listing.content.decode()

    override = PermissionOverride.objects.get()
    deleted = admin_client.post(
        f"/admin/permissions/permissionoverride/{override.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert grants(member, public_network) == {"read_network", "participate_network"}
    assert AuditEntry.objects.filter(action="member.permissions").count() == 2
