"""Whose words a moderator may change, and how such a change shows (issue #11, §3).

A moderator could rewrite the owner's post. Moderators edit or take down the posts of
members below them, never an owner's or another moderator's, and an owner never another
owner's; any edit of someone else's words is in the audit log and shows as "edited by a
moderator" in the post, its history and the topic page.
"""

from __future__ import annotations

from typing import Any

import pytest

from community.forums import actions
from community.forums.models import Post, PostRevision
from community.models import AuditEntry, Membership, Network
from core.errors import NotAllowed
from tests.community.helpers import assert_error
from tests.factories.forums import make_category, make_post, make_topic
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Role = Membership.Role

REFUSED = [
    ("moderator", "owner"),
    ("moderator", "second_moderator"),
    ("owner", "co_owner"),
]
ALLOWED = [
    ("moderator", "member"),
    ("owner", "member"),
    ("owner", "moderator"),
    ("staff", "owner"),
]


def _post_by(forum: Any, author: Any, body: str = "Words of their own") -> Post:
    return make_post(forum.topic, author, body)


def _audits(network: Network, action: str) -> list[tuple[int, int | None]]:
    return list(
        AuditEntry.objects.filter(network=network, action=action).values_list(
            "actor_id", "target_user_id"
        )
    )


@pytest.mark.parametrize(("actor", "author"), REFUSED)
def test_a_moderator_cannot_rewrite_the_words_of_an_equal_or_a_higher_rank(
    api: Any, request: pytest.FixtureRequest, public_forum: Any, actor: str, author: str
) -> None:
    editor, writer = request.getfixturevalue(actor), request.getfixturevalue(author)
    post = _post_by(public_forum, writer, "The owner's announcement")

    response = api(editor).patch(
        f"/api/v1/posts/{post.pk}/", {"body": "Rewritten by someone else"}, format="json"
    )

    assert_error(response, 403, "rank")
    post.refresh_from_db()
    assert (post.body, post.edit_count) == ("The owner's announcement", 0)
    assert not PostRevision.objects.filter(post=post).exists()
    assert _audits(public_forum.network, "forum.post.edit") == []


@pytest.mark.parametrize(("actor", "author"), REFUSED)
def test_a_moderator_cannot_take_down_the_post_of_an_equal_or_a_higher_rank(
    api: Any, request: pytest.FixtureRequest, public_forum: Any, actor: str, author: str
) -> None:
    deleter, writer = request.getfixturevalue(actor), request.getfixturevalue(author)
    post = _post_by(public_forum, writer)

    assert_error(api(deleter).delete(f"/api/v1/posts/{post.pk}/"), 403, "rank")
    post.refresh_from_db()
    assert not post.deleted
    assert _audits(public_forum.network, "forum.post.delete") == []


@pytest.mark.parametrize(("actor", "author"), ALLOWED)
def test_a_higher_rank_edits_and_the_post_shows_edited_by_a_moderator(
    api: Any, request: pytest.FixtureRequest, public_forum: Any, actor: str, author: str
) -> None:
    editor, writer = request.getfixturevalue(actor), request.getfixturevalue(author)
    post = _post_by(public_forum, writer, "My phone is 0612345678")

    response = api(editor).patch(
        f"/api/v1/posts/{post.pk}/", {"body": "My phone is [removed]"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["edited_by_moderator"] is True
    assert api(writer).get(f"/api/v1/posts/{post.pk}/").json()["edited_by_moderator"] is True
    history = api(writer).get(f"/api/v1/posts/{post.pk}/revisions/").json()["results"]
    assert [(r["body"], r["edited_by"]["id"], r["by_moderator"]) for r in history] == [
        ("My phone is 0612345678", editor.pk, True)
    ]
    assert _audits(public_forum.network, "forum.post.edit") == [(editor.pk, writer.pk)]


@pytest.mark.parametrize(("actor", "author"), ALLOWED)
def test_a_higher_rank_takes_down_a_post_and_it_is_audited(
    api: Any, request: pytest.FixtureRequest, public_forum: Any, actor: str, author: str
) -> None:
    deleter, writer = request.getfixturevalue(actor), request.getfixturevalue(author)
    post = _post_by(public_forum, writer)

    response = api(deleter).delete(f"/api/v1/posts/{post.pk}/")

    assert response.status_code == 200, response.content
    assert response.json()["deleted"] is True
    assert _audits(public_forum.network, "forum.post.delete") == [(deleter.pk, writer.pk)]


def test_an_authors_own_edit_is_not_shown_as_a_moderators(api: Any, public_forum: Any) -> None:
    moderator_post = _post_by(public_forum, public_forum.topic.author, "first")
    author = public_forum.topic.author

    response = api(author).patch(
        f"/api/v1/posts/{moderator_post.pk}/", {"body": "second"}, format="json"
    )

    assert response.json()["edited_by_moderator"] is False
    history = api(author).get(f"/api/v1/posts/{moderator_post.pk}/revisions/").json()["results"]
    assert [r["by_moderator"] for r in history] == [False]


def test_a_moderator_edit_stays_in_the_history_after_the_author_edits_again(
    moderator: Any, member: Any, public_forum: Any
) -> None:
    post = _post_by(public_forum, member, "one")
    actions.do_edit_post(moderator, post, "two")
    actions.do_edit_post(member, Post.objects.select_related("topic__network").get(pk=post.pk), "3")

    post.refresh_from_db()
    assert post.edited_by_moderator
    assert list(
        PostRevision.objects.filter(post=post).order_by("number").values_list("by_moderator")
    ) == [(True,), (False,)]


def test_a_moderator_cannot_restore_an_owners_post_the_owner_took_down(
    api: Any, owner: Any, moderator: Any, public_forum: Any
) -> None:
    post = actions.do_delete_post(owner, _post_by(public_forum, owner))

    assert_error(api(moderator).post(f"/api/v1/posts/{post.pk}/restore/"), 403, "rank")
    assert Post.objects.get(pk=post.pk).deleted


def test_a_moderator_cannot_rename_or_delete_an_owners_topic(
    api: Any, owner: Any, moderator: Any, public_forum: Any
) -> None:
    topic = make_topic(public_forum.category, owner, "Annonce officielle", "Le bureau informe…")

    renamed = api(moderator).patch(f"/api/v1/topics/{topic.pk}/", {"title": "x"}, format="json")
    deleted = api(moderator).delete(f"/api/v1/topics/{topic.pk}/")

    assert_error(renamed, 403, "rank")
    assert_error(deleted, 403, "rank")
    topic.refresh_from_db()
    assert (topic.title, topic.deleted) == ("Annonce officielle", False)
    # Pinning and locking are not words: moderators still do that.
    pinned = api(moderator).patch(f"/api/v1/topics/{topic.pk}/", {"pinned": True}, format="json")
    assert pinned.status_code == 200, pinned.content


def test_the_rank_rule_is_the_actions_so_the_admin_and_every_caller_have_it(
    moderator: Any, owner: Any, public_forum: Any
) -> None:
    post = _post_by(public_forum, owner)
    with pytest.raises(NotAllowed) as refused:
        actions.do_edit_post(moderator, post, "nope")
    assert refused.value.code == "rank"
    with pytest.raises(NotAllowed):
        actions.do_delete_post(moderator, post)


def test_a_former_owner_who_left_is_moderated_like_any_member(
    moderator: Any, co_owner: Any, public_forum: Any, public_network: Network
) -> None:
    from community.actions import membership

    post = _post_by(public_forum, co_owner, "before I left")
    membership.do_leave_network(co_owner, Network.objects.get(pk=public_network.pk))

    edited = actions.do_edit_post(moderator, Post.objects.get(pk=post.pk), "[removed]")
    assert edited.body == "[removed]"


# --- the topic web page ----------------------------------------------------------------------


def test_the_topic_page_offers_no_tools_on_an_owners_post_to_a_moderator(
    client: Any, owner: Any, moderator: Any, public_forum: Any
) -> None:
    post = _post_by(public_forum, owner, "Owner words")
    client.force_login(moderator)

    page = client.get(f"/topics/{public_forum.topic.pk}/").content.decode()
    refused = client.post(f"/posts/{post.pk}/edit/", {"body": "Moderator words"})

    article = page[page.index(f'id="post-{post.pk}"') :].split("</article>")[0]
    assert f"/posts/{post.pk}/edit/" not in article
    assert f"/posts/{post.pk}/delete/" not in article
    assert refused.status_code == 302
    assert Post.objects.get(pk=post.pk).body == "Owner words"


def test_the_topic_page_shows_edited_by_a_moderator(
    client: Any, moderator: Any, member: Any, public_forum: Any
) -> None:
    actions.do_edit_post(moderator, public_forum.reply, "Cleaned up by the moderators")
    client.force_login(member)

    page = client.get(f"/topics/{public_forum.topic.pk}/").content.decode()

    article = page[page.index(f'id="post-{public_forum.reply.pk}"') :].split("</article>")[0]
    assert "edited by a moderator" in article
    first = page[page.index(f'id="post-{public_forum.first_post.pk}"') :].split("</article>")[0]
    assert "edited" not in first


def test_a_moderators_topic_page_costs_the_same_for_3_and_30_authors(
    client: Any, owner: Any, moderator: Any, public_network: Network
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    category = make_category(public_network, owner)
    topic = make_topic(category, owner, "Many voices", "Who is here?")
    client.force_login(moderator)

    def add_voices(start: int, stop: int) -> int:
        for i in range(start, stop):
            writer = make_user(f"voice{i}")
            add_member(public_network, writer, Role.MODERATOR if i % 3 == 0 else Role.MEMBER)
            make_post(topic, writer, f"Hello from {i}")
        client.get(f"/topics/{topic.pk}/")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/topics/{topic.pk}/").status_code == 200
        return len(queries)

    assert add_voices(0, 3) == add_voices(3, 30)
