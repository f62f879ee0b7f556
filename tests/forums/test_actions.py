"""Forum actions: the rows they write, the audit entries and the events after commit."""

from __future__ import annotations

from typing import Any

import pytest

from community.forums import actions
from community.forums.models import Mention, Post, PostRevision, Reaction, Topic
from community.models import AuditEntry
from core.errors import NotAllowed, StateConflict
from tests.factories.forums import make_category, make_post, make_topic
from tests.factories.networks import add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Events as delivered after commit: (group, event)."""
    events: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("core.events.send_event_now", lambda g, e: events.append((g, e)))
    return events


def audit_actions(network: Any) -> list[tuple[str, int | None]]:
    return list(
        AuditEntry.objects.filter(network=network, action__regex=r"^forum\.(post|topic)\.")
        .order_by("id")
        .values_list("action", "target_user_id")
    )


def test_opening_a_topic_writes_the_topic_and_first_post_and_announces_them(
    public_network, owner, member, sent, django_capture_on_commit_callbacks
):
    category = make_category(public_network, owner)
    with django_capture_on_commit_callbacks(execute=True):
        topic, first = actions.do_create_topic(member, category, "  Souss  ", "Hello **all**")
    topic.refresh_from_db()
    assert topic.title == "Souss"
    assert (topic.network_id, topic.author_id, topic.post_count) == (
        public_network.pk,
        member.pk,
        1,
    )
    assert topic.last_post_id == first.pk and first.body_html.count("<strong>") == 1
    assert [(g, e["type"]) for g, e in sent] == [(f"topic.{topic.pk}", "forums.post")]
    assert sent[0][1]["post"]["body"] == "Hello **all**"


def test_nothing_is_sent_when_the_transaction_rolls_back(public_forum, member, sent):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_reply(member, public_forum.topic, "never committed")
        raise RuntimeError
    assert sent == []
    assert not Post.objects.filter(body="never committed").exists()


def test_a_reply_bumps_the_topic_counters(public_forum, member, django_capture_on_commit_callbacks):
    before = Topic.objects.get(pk=public_forum.topic.pk)
    post = make_post(public_forum.topic, member, "Another one")
    topic = Topic.objects.get(pk=public_forum.topic.pk)
    assert topic.post_count == before.post_count + 1
    assert topic.last_post_id == post.pk
    assert topic.last_activity_at == post.created_at > before.last_activity_at


def test_reply_to_links_to_a_post_of_the_topic(public_forum, member):
    post = actions.do_reply(member, public_forum.topic, "Agreed", reply_to_id=public_forum.reply.pk)
    assert post.reply_to_id == public_forum.reply.pk


def test_editing_keeps_the_previous_body_as_a_revision(
    public_forum, member, sent, django_capture_on_commit_callbacks
):
    post = public_forum.reply
    original = post.body
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit_post(member, post, "Second version")
        actions.do_edit_post(member, post, "Third version")
    post.refresh_from_db()
    assert (post.body, post.edit_count) == ("Third version", 2)
    assert post.edited_at is not None
    assert list(
        PostRevision.objects.filter(post=post)
        .order_by("number")
        .values_list("number", "body", "edited_by_id")
    ) == [(1, original, member.pk), (2, "Second version", member.pk)]
    assert [e["type"] for _, e in sent] == ["forums.post_edited", "forums.post_edited"]
    assert audit_actions(public_forum.network) == []  # authors editing their own posts


def test_an_unchanged_edit_writes_nothing(public_forum, member):
    actions.do_edit_post(member, public_forum.reply, public_forum.reply.body)
    assert PostRevision.objects.count() == 0
    assert Post.objects.get(pk=public_forum.reply.pk).edit_count == 0


def test_a_moderator_editing_someone_elses_post_is_audited(public_forum, member, moderator):
    actions.do_edit_post(moderator, public_forum.reply, "Removed a phone number")
    assert audit_actions(public_forum.network) == [("forum.post.edit", member.pk)]


def test_deleting_hides_the_body_recounts_and_audits_moderators_only(
    public_forum, member, moderator, sent, django_capture_on_commit_callbacks
):
    topic = public_forum.topic
    own = make_post(topic, member, "my own")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_post(member, own)
    assert audit_actions(topic.network) == []
    assert sent[-1][1]["type"] == "forums.post_deleted"
    assert sent[-1][1]["post"]["body"] == "" and sent[-1][1]["post"]["deleted"] is True

    fresh = Topic.objects.get(pk=topic.pk)
    assert fresh.post_count == 2 and fresh.last_post_id == public_forum.reply.pk

    actions.do_delete_post(moderator, public_forum.reply, reason="spam")
    assert audit_actions(topic.network) == [("forum.post.delete", member.pk)]
    deleted = Post.objects.get(pk=public_forum.reply.pk)
    assert deleted.deleted and deleted.deleted_by_id == moderator.pk and deleted.body
    fresh = Topic.objects.get(pk=topic.pk)
    assert fresh.post_count == 1 and fresh.last_post_id == public_forum.first_post.pk


def test_restoring_brings_the_post_back(public_forum, member, moderator):
    actions.do_delete_post(member, public_forum.reply)
    actions.do_restore_post(
        moderator, Post.objects.select_related("topic__network").get(pk=public_forum.reply.pk)
    )
    topic = Topic.objects.get(pk=public_forum.topic.pk)
    assert topic.post_count == 2 and topic.last_post_id == public_forum.reply.pk
    assert not Post.objects.get(pk=public_forum.reply.pk).deleted
    assert audit_actions(topic.network) == [("forum.post.restore", member.pk)]


def test_pin_lock_and_move_are_audited_and_announced(
    public_forum, owner, member, moderator, sent, django_capture_on_commit_callbacks
):
    other = make_category(public_forum.network, owner, name="Projets")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_topic(
            moderator, public_forum.topic, pinned=True, locked=True, category_id=other.pk
        )
    topic = Topic.objects.get(pk=public_forum.topic.pk)
    assert (topic.pinned, topic.locked, topic.category_id) == (True, True, other.pk)
    assert sorted(audit_actions(topic.network)) == [
        ("forum.topic.lock", member.pk),
        ("forum.topic.move", member.pk),
        ("forum.topic.pin", member.pk),
    ]
    assert sent == [
        (f"topic.{topic.pk}", {**sent[0][1], "type": "forums.topic_updated"}),
    ]
    assert sent[0][1]["changes"] == ["category", "locked", "pinned"]


def test_an_author_renaming_their_topic_is_not_audited(public_forum, member):
    actions.do_update_topic(member, public_forum.topic, title="Télémédecine rurale")
    assert Topic.objects.get(pk=public_forum.topic.pk).title == "Télémédecine rurale"
    assert audit_actions(public_forum.network) == []


def test_a_locked_topic_refuses_replies_except_from_moderators(public_forum, member, moderator):
    actions.do_update_topic(moderator, public_forum.topic, locked=True)
    with pytest.raises(NotAllowed) as refused:
        actions.do_reply(member, public_forum.topic, "Still here?")
    assert refused.value.code == "topic_locked"
    with pytest.raises(NotAllowed):
        actions.do_edit_post(member, public_forum.reply, "changed")
    actions.do_reply(moderator, public_forum.topic, "Closing note")


def test_a_muted_member_reads_but_cannot_write(api, public_forum, public_network, member):
    from django.utils import timezone

    add_member(public_network, member, muted_until=timezone.now() + timezone.timedelta(hours=1))
    client = api(member)
    assert client.get(f"/api/v1/topics/{public_forum.topic.pk}/posts/").status_code == 200
    response = client.post(
        f"/api/v1/topics/{public_forum.topic.pk}/posts/", {"body": "hi"}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "muted")
    url = f"/api/v1/networks/germany/categories/{public_forum.category.pk}/topics/"
    assert client.post(url, {"title": "t", "body": "b"}, format="json").status_code == 403
    reaction = f"/api/v1/posts/{public_forum.reply.pk}/reactions/"
    assert client.post(reaction, {"emoji": "👍"}, format="json").status_code == 403
    assert (
        client.patch(
            f"/api/v1/posts/{public_forum.reply.pk}/", {"body": "x"}, format="json"
        ).status_code
        == 403
    )
    # Taking down one's own post stays possible while muted.
    assert client.delete(f"/api/v1/posts/{public_forum.reply.pk}/").status_code == 200


def test_moderators_only_categories_take_topics_from_moderators(public_network, owner, member):
    category = make_category(public_network, owner, moderators_only_post=True)
    with pytest.raises(NotAllowed) as refused:
        actions.do_create_topic(member, category, "Announcement", "By a member")
    assert refused.value.code == "moderators_only"
    topic = make_topic(category, owner, "Announcement", "By the owner")
    actions.do_reply(member, topic, "Members still reply")


def test_deleted_topics_leave_lists_and_come_back(api, public_forum, member, moderator):
    url = f"/api/v1/networks/germany/categories/{public_forum.category.pk}/topics/"
    actions.do_delete_topic(moderator, public_forum.topic)
    assert api(member).get(url).json()["results"] == []
    assert api(member).get(f"/api/v1/topics/{public_forum.topic.pk}/").status_code == 404
    assert api(moderator).get(f"/api/v1/topics/{public_forum.topic.pk}/").json()["deleted"]
    with pytest.raises(StateConflict):
        actions.do_reply(moderator, public_forum.topic, "into the void")
    response = api(moderator).post(f"/api/v1/topics/{public_forum.topic.pk}/restore/")
    assert response.status_code == 200 and response.json()["deleted"] is False
    assert [t["id"] for t in api(member).get(url).json()["results"]] == [public_forum.topic.pk]


def test_reactions_are_unique_per_member_and_emoji(
    api, public_forum, member, moderator, sent, django_capture_on_commit_callbacks
):
    url = f"/api/v1/posts/{public_forum.reply.pk}/reactions/"
    with django_capture_on_commit_callbacks(execute=True):
        assert api(member).post(url, {"emoji": "👍"}, format="json").status_code == 201
        again = api(member).post(url, {"emoji": "👍"}, format="json")
        assert again.status_code == 200
        api(moderator).post(url, {"emoji": "👍"}, format="json")
        api(moderator).post(url, {"emoji": "🇲🇦"}, format="json")
    assert Reaction.objects.filter(post=public_forum.reply).count() == 3
    reactions = api(member).get(f"/api/v1/posts/{public_forum.reply.pk}/").json()["reactions"]
    assert reactions == [
        {"emoji": "👍", "count": 2, "me": True},
        {"emoji": "🇲🇦", "count": 1, "me": False},
    ]
    assert [(e["type"], e["emoji"], e["count"]) for _, e in sent] == [
        ("forums.reaction_added", "👍", 1),
        ("forums.reaction_added", "👍", 2),
        ("forums.reaction_added", "🇲🇦", 1),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(member).delete(url, {"emoji": "👍"}, format="json")
    assert response.status_code == 200
    assert response.json()["reactions"][0] == {"emoji": "👍", "count": 1, "me": False}
    assert sent[-1][1]["type"] == "forums.reaction_removed"


def test_mentioned_members_are_told(
    public_forum, member, moderator, owner, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(public_forum.topic, member, "@moderator @member what do you think?")
    mentions = [(g, e) for g, e in sent if e["type"] == "forums.mention"]
    # The author mentioning themselves is recorded but not notified.
    assert mentions == [
        (
            f"user.{moderator.pk}",
            {
                "type": "forums.mention",
                "network": public_forum.network.pk,
                "topic": public_forum.topic.pk,
                "post": post.pk,
            },
        )
    ]
    assert set(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == {
        moderator.pk,
        member.pk,
    }
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit_post(member, post, "@moderator @owner what do you think?")
    assert [g for g, e in sent if e["type"] == "forums.mention"] == [f"user.{owner.pk}"]


NO_REVISIONS = {"revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"}


def test_the_admin_saves_through_the_actions(client, public_forum, member):
    from tests.factories.users import make_user

    admin = make_user("root", staff=True, is_superuser=True)
    client.force_login(admin)
    topic = public_forum.topic
    response = client.post(
        f"/admin/forums/topic/{topic.pk}/change/",
        {"category": public_forum.category.pk, "title": topic.title, "pinned": "on"},
    )
    assert response.status_code == 302, response.content
    assert Topic.objects.get(pk=topic.pk).pinned
    assert audit_actions(public_forum.network) == [("forum.topic.pin", member.pk)]

    response = client.post(
        f"/admin/forums/post/{public_forum.reply.pk}/change/",
        {"body": "Moderated text", **NO_REVISIONS},
    )
    assert response.status_code == 302
    assert PostRevision.objects.filter(post=public_forum.reply).count() == 1

    response = client.post(f"/admin/forums/post/{public_forum.reply.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Post.objects.get(pk=public_forum.reply.pk).deleted  # soft, like the API

    response = client.post(
        "/admin/forums/category/add/",
        {"network": public_forum.network.pk, "name": "Annonces", "position": 0},
    )
    assert response.status_code == 302
    assert public_forum.network.categories.filter(name="Annonces").exists()


def test_the_admin_shows_a_refused_change_as_a_form_error(client, public_forum):
    from tests.factories.users import make_user

    admin = make_user("root", staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/forums/post/{public_forum.reply.pk}/change/",
        {"body": "x" * 70_000, **NO_REVISIONS},
    )
    assert response.status_code == 200
    assert "Posts are limited to 64 KiB" in response.content.decode()
    assert Post.objects.get(pk=public_forum.reply.pk).edit_count == 0


def test_an_admin_without_its_action_check_is_refused_when_defined() -> None:
    from community.forums.admin import ActionAdmin

    with pytest.raises(TypeError, match="must define check_action"):
        type("UncheckedAdmin", (ActionAdmin,), {})
