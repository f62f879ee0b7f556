"""`manage.py seed_demo`: the demo networks and people, made through the actions, idempotent."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from community.models import AuditEntry, Invitation, Membership, Network
from community.seed.people import FIRST_NAMES, username_for
from directory.models import Profile
from permissions.models import NetworkUserObjectPermission
from permissions.roles import perms_for
from tests.factories.networks import make_network
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

SLUGS = {
    "germany",
    "canada",
    "usa",
    "switzerland",
    "france",
    "medical",
    "women-journalists",
    "women-leaders",
    "lawyers",
    "aviation-canada",
}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    models: list[Any] = [
        get_user_model(),
        Profile,
        Network,
        Membership,
        Invitation,
        AuditEntry,
        NetworkUserObjectPermission,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def seeded() -> str:
    return seed("--users", "16")


def test_seed_builds_the_demo_networks_and_people_through_the_actions(seeded: str) -> None:
    networks = {n.slug: n for n in Network.objects.all()}
    assert set(networks) == SLUGS
    assert {n.kind for n in networks.values()} == {"geographic", "thematic"}
    assert {n.visibility for n in networks.values()} == {"public", "private", "hidden"}
    assert {n.join_policy for n in networks.values()} == {"open", "approval", "invite"}
    assert networks["germany"].country == "DE" and networks["medical"].theme == "Médecine et santé"
    for network in networks.values():
        active = Membership.objects.filter(network=network, status="active")
        roles = set(active.values_list("role", flat=True))
        assert {"owner", "moderator", "member"} <= roles, network.slug
    assert Membership.objects.filter(status="pending").exists()
    assert Membership.objects.filter(status="banned").exists()
    assert "Demo data ready" in seeded

    for membership in Membership.objects.all():
        have = set(
            NetworkUserObjectPermission.objects.filter(
                user_id=membership.user_id, content_object_id=membership.network_id
            ).values_list("permission__codename", flat=True)
        )
        assert have == {p.value for p in perms_for(membership)}, membership
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "network.create",
        "member.join",
        "member.request",
        "member.approve",
        "member.set_role",
        "member.ban",
        "invitation.create",
    } <= actions
    lawyers = Network.objects.get(slug="lawyers")
    assert (
        AuditEntry.objects.filter(network=lawyers, action="member.join")
        .exclude(details__invitation=None)
        .exists()
    )

    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.check_password("shabaka-demo")
    for username in ("amina.benali", "youssef.elidrissi"):
        assert users.get(username=username).check_password("shabaka-demo")
    assert Membership.objects.get(user__username="amina.benali", network__slug="medical").role == (
        "owner"
    )
    names = list(Profile.objects.values_list("display_name", flat=True))
    assert any("\u0600" <= ch <= "\u06ff" for name in names for ch in name)  # Arabic script
    assert "Amina Benali" in names

    women = {n.latin for n in FIRST_NAMES if n.female}
    members = get_user_model().objects.filter(memberships__network__slug="women-journalists")
    assert members.exists()
    assert {u.first_name for u in members} <= women


def test_seeding_twice_changes_nothing(seeded: str) -> None:
    before = table_counts()

    again = seed("--users", "16")

    assert table_counts() == before
    assert "nothing new" in again


def test_if_empty_leaves_an_existing_database_alone() -> None:
    make_network(make_user("someone"), slug="existing")
    before = table_counts()

    out = seed("--if-empty")

    assert table_counts() == before
    assert "Networks exist already" in out


def test_usernames_are_plain_ascii() -> None:
    assert username_for("Youssef", "El Idrissi") == "youssef.elidrissi"
    assert username_for("Inès", "Müller") == "ines.muller"
    assert username_for("Fatima Zahra", "Ait Ouahmane") == "fatimazahra.aitouahmane"


def test_job_titles_agree_with_their_holder(seeded: str) -> None:
    """No "Hamza … Pharmacienne": a title with two forms takes the holder's."""
    from directory.seed import HEADLINES

    forms = [h.partition("|") for titles in HEADLINES.values() for h in titles if "|" in h]
    female_first = {n.latin for n in FIRST_NAMES if n.female}
    checked = 0
    for user in get_user_model().objects.exclude(username="admin").select_related("profile"):
        headline = user.profile.headline
        female = user.first_name in female_first
        for masculine, _, feminine in forms:
            if headline.startswith(feminine + " "):
                assert female, (user.username, headline)
                checked += 1
            elif headline.startswith(masculine + " ") and masculine != feminine:
                assert not female, (user.username, headline)
                checked += 1
        assert ("Née" in user.profile.bio) == female, (user.username, user.profile.bio)
    assert checked
