"""The members document (directory.search): membership writes re-index a member exactly
when their set of active networks changes, and a deactivated account leaves the directory
and search at once, whatever the index still holds (the outbox is not drained after the
change: the state every reader meets until the worker catches up)."""

from __future__ import annotations

from typing import Any

from community.actions import membership
from community.models import Membership
from directory.search import MEMBERS
from search.models import Document, OutboxEntry
from tests.factories.directory import SearchBackend, make_profile
from tests.factories.search import search, word
from tests.factories.users import make_user


def queued() -> list[int]:
    return sorted(OutboxEntry.objects.values_list("object_id", flat=True))


def networks_of(user: Any) -> list[int]:
    return list(Document.objects.get(doc_type=MEMBERS, object_id=user.pk).networks)


def test_only_changes_in_or_out_of_active_membership_reindex_a_member(
    settings: Any, public_network: Any, private_network: Any, owner: Any, member: Any
) -> None:
    settings.MEILISEARCH_URL = "http://127.0.0.1:9"  # queued for Meilisearch, never sent
    make_profile(member, headline="Architecte")
    OutboxEntry.objects.all().delete()

    membership.do_set_role(owner, public_network, member.pk, Membership.Role.MODERATOR)
    membership.do_mute_member(owner, private_network, member.pk, 30)
    newcomer = make_user("newcomer")
    membership.do_join_network(newcomer, private_network, message="Bonjour")  # a pending request
    assert queued() == []

    membership.do_ban_member(owner, public_network, member.pk)
    assert queued() == [member.pk]
    assert networks_of(member) == [private_network.pk]

    membership.do_approve_member(owner, private_network, newcomer.pk)
    assert queued() == [member.pk, newcomer.pk]


def test_deleting_a_network_takes_it_out_of_its_members_documents(
    public_network: Any, private_network: Any, member: Any
) -> None:
    make_profile(member, headline="Architecte")
    assert networks_of(member) == sorted([public_network.pk, private_network.pk])
    private_network.delete()
    assert networks_of(member) == [public_network.pk]


def test_an_import_rebuilds_each_member_once(settings: Any, public_network: Any) -> None:
    from directory.actions import ImportRow, do_import_members

    settings.MEILISEARCH_URL = "http://127.0.0.1:9"
    OutboxEntry.objects.all().delete()
    rows = [
        ImportRow(line=i + 2, email=f"imp{i}@example.org", username=f"imp{i}", profile={})
        for i in range(3)
    ]
    do_import_members(None, public_network, rows, update_existing=False)
    people = list(
        Membership.objects.filter(user__username__startswith="imp", network=public_network)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    assert len(people) == 3
    assert queued() == people  # one row each: the joins' re-indexing was folded in
    assert Document.objects.filter(doc_type=MEMBERS, object_id__in=people).count() == 3


def test_a_deactivated_account_leaves_the_directory_and_search_at_once(
    backend: SearchBackend, public_network: Any, member: Any, outsider: Any, api: Any
) -> None:
    headline = word()
    make_profile(member, headline=f"Cardiologue {headline}")
    backend.sync()
    assert [r["id"] for r in search(api, outsider, headline, type="members")] == [member.pk]
    # Deactivated (by staff in the admin): nothing reindexes the profile.
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert search(api, outsider, headline) == []
    response = api(outsider).get("/api/v1/directory/", {"q": headline})
    assert response.status_code == 200 and response.json()["results"] == []
