"""Bad input gets the contract's error shape and status, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from community.forums.actions import MAX_BODY_BYTES
from community.forums.models import Category, Mention, Post, PostRevision, Reaction, Topic
from community.models import AuditEntry
from tests.factories.forums import make_category, make_topic

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, Any]:
    return {
        "categories": list(Category.objects.values_list("id", "name", "slug")),
        "topics": list(
            Topic.objects.values_list(
                "id", "title", "category_id", "pinned", "locked", "post_count", "last_post_id"
            )
        ),
        "posts": list(Post.objects.values_list("id", "body", "edit_count", "deleted")),
        "revisions": PostRevision.objects.count(),
        "reactions": Reaction.objects.count(),
        "mentions": Mention.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def client(api, member):
    return api(member)


@pytest.fixture
def topics_url(public_forum):
    return f"/api/v1/networks/germany/categories/{public_forum.category.pk}/topics/"


@pytest.fixture
def posts_url(public_forum):
    return f"/api/v1/topics/{public_forum.topic.pk}/posts/"


EMPTY_BODIES = ["", "   ", "\n\t \n", "\u3000"]


def test_empty_bodies_are_refused_everywhere(client, public_forum, topics_url, posts_url):
    before = snapshot()
    url = f"/api/v1/posts/{public_forum.reply.pk}/"
    for body in EMPTY_BODIES:
        error = assert_error(
            client.post(topics_url, {"title": "T", "body": body}, format="json"), 400
        )
        assert "body" in error["fields"]
        assert_error(client.post(posts_url, {"body": body}, format="json"), 400, "invalid")
        assert_error(client.patch(url, {"body": body}, format="json"), 400, "invalid")
    assert snapshot() == before


def test_bad_titles_are_refused(client, public_forum, topics_url):
    before = snapshot()
    url = f"/api/v1/topics/{public_forum.topic.pk}/"
    for title in ["", "    ", "x" * 201, 7, None]:
        error = assert_error(
            client.post(topics_url, {"title": title, "body": "b"}, format="json"), 400
        )
        assert "title" in error["fields"]
        assert_error(client.patch(url, {"title": title}, format="json"), 400)
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        "x" * (MAX_BODY_BYTES + 1),
        "م" * (MAX_BODY_BYTES // 2 + 1),  # 2 bytes each in UTF-8: the limit is on bytes
        "🙂" * (MAX_BODY_BYTES // 4 + 1),
    ],
    ids=["ascii", "arabic", "emoji"],
)
def test_oversized_bodies_are_413(client, public_forum, topics_url, posts_url, body):
    before = snapshot()
    error = assert_error(
        client.post(topics_url, {"title": "T", "body": body}, format="json"), 413, "too_large"
    )
    assert "body" in error["fields"]
    assert_error(client.post(posts_url, {"body": body}, format="json"), 413, "too_large")
    url = f"/api/v1/posts/{public_forum.reply.pk}/"
    assert_error(client.patch(url, {"body": body}, format="json"), 413, "too_large")
    assert snapshot() == before


def test_a_body_of_exactly_64_kib_is_accepted(client, posts_url):
    response = client.post(posts_url, {"body": "x" * MAX_BODY_BYTES}, format="json")
    assert response.status_code == 201


def test_a_request_over_the_server_limit_is_413_without_parsing(client, posts_url):
    before = snapshot()
    response = client.post(posts_url, {"body": "x" * (2 * 1024 * 1024)}, format="json")
    assert_error(response, 413, "too_large")
    assert snapshot() == before


MALFORMED_REPLIES = [
    {"body": "nul \x00 inside"},
    {"body": 42},
    {"body": None},
    {"body": ["a list"]},
    {},
    {"body": "ok", "reply_to": "x"},
    {"body": "ok", "reply_to": True},
]


def test_malformed_replies_are_400(client, posts_url):
    before = snapshot()
    for payload in MALFORMED_REPLIES:
        assert_error(client.post(posts_url, payload, format="json"), 400)
    assert snapshot() == before


def test_malformed_json_and_non_objects_are_400(client, posts_url):
    before = snapshot()
    response = client.post(posts_url, "{not json", content_type="application/json")
    assert_error(response, 400, "malformed_json")
    assert_error(client.post(posts_url, ["body"], format="json"), 400, "invalid")
    assert snapshot() == before


def test_replying_to_a_post_of_another_topic_is_400(client, public_forum, member, posts_url):
    other = make_topic(public_forum.category, member, "Other", "Other body")
    before = snapshot()
    error = assert_error(
        client.post(posts_url, {"body": "hi", "reply_to": other.last_post_id}, format="json"),
        400,
    )
    assert "reply_to" in error["fields"]
    assert_error(client.post(posts_url, {"body": "hi", "reply_to": 10**12}, format="json"), 400)
    assert snapshot() == before


UNKNOWN = [
    "/api/v1/networks/nowhere/categories/",
    "/api/v1/networks/germany/categories/999999/topics/",
    "/api/v1/topics/999999/",
    "/api/v1/topics/999999/posts/",
    "/api/v1/posts/999999/",
    "/api/v1/posts/999999/revisions/",
    "/api/v1/topics/99999999999999999999999/",
]


def test_unknown_objects_are_404(client, public_forum):
    for url in UNKNOWN:
        assert_error(client.get(url), 404, "not_found")


def test_writing_to_unknown_objects_is_404_and_writes_nothing(client, public_forum):
    before = snapshot()
    assert_error(
        client.post(
            "/api/v1/networks/germany/categories/999999/topics/",
            {"title": "T", "body": "B"},
            format="json",
        ),
        404,
        "not_found",
    )
    assert_error(client.post("/api/v1/topics/999999/posts/", {"body": "B"}, format="json"), 404)
    assert_error(client.patch("/api/v1/posts/999999/", {"body": "B"}, format="json"), 404)
    assert_error(
        client.post("/api/v1/posts/999999/reactions/", {"emoji": "👍"}, format="json"), 404
    )
    assert snapshot() == before


def test_a_category_of_another_network_is_not_found_under_this_one(
    api, member, public_forum, private_forum
):
    before = snapshot()
    url = f"/api/v1/networks/germany/categories/{private_forum.category.pk}/topics/"
    assert_error(api(member).get(url), 404)
    assert_error(api(member).post(url, {"title": "T", "body": "B"}, format="json"), 404)
    assert snapshot() == before


def test_moving_a_topic_to_another_network_is_refused(
    api, moderator, owner, public_forum, private_forum
):
    before = snapshot()
    url = f"/api/v1/topics/{public_forum.topic.pk}/"
    error = assert_error(
        api(moderator).patch(url, {"category": private_forum.category.pk}, format="json"),
        400,
        "invalid_category",
    )
    assert "category" in error["fields"]
    # Nothing else in the same request is applied either: a PATCH is all or nothing.
    assert_error(
        api(moderator).patch(
            url, {"pinned": True, "category": private_forum.category.pk}, format="json"
        ),
        400,
    )
    assert_error(api(moderator).patch(url, {"category": 999999}, format="json"), 400)
    assert snapshot() == before


def test_editing_someone_elses_post_is_403(api, owner, public_forum, public_network):
    from tests.factories.forums import make_poster

    other = make_poster(public_network, "karim")
    before = snapshot()
    url = f"/api/v1/posts/{public_forum.reply.pk}/"
    assert_error(api(other).patch(url, {"body": "Hijacked"}, format="json"), 403, "not_author")
    assert_error(api(other).delete(url), 403, "not_author")
    topic_url = f"/api/v1/topics/{public_forum.topic.pk}/"
    assert_error(api(other).patch(topic_url, {"title": "Mine"}, format="json"), 403, "not_author")
    assert_error(api(other).patch(topic_url, {"pinned": True}, format="json"), 403)
    assert snapshot() == before


NOT_EMOJI = [
    "lol",
    "<script>",
    "",
    " ",
    "👍👍",
    "👍 ",
    " 👍",
    "a👍",
    "1",
    "#",
    "🇲",
    "\u200d",
    "👍\u200d",
    "🏽",
    "😀\ufe0e",
    "<img src=x onerror=alert(1)>",
    "❤️" * 40,
    42,
    None,
    ["👍"],
]


def test_reacting_with_anything_but_one_emoji_is_400(client, public_forum):
    before = snapshot()
    url = f"/api/v1/posts/{public_forum.reply.pk}/reactions/"
    for emoji in NOT_EMOJI:
        assert_error(client.post(url, {"emoji": emoji}, format="json"), 400)
    assert snapshot() == before


def test_removing_a_reaction_needs_an_emoji(client, public_forum):
    url = f"/api/v1/posts/{public_forum.reply.pk}/reactions/"
    assert_error(client.delete(url), 400)
    assert_error(client.delete(url + "?emoji=lol"), 400, "invalid_emoji")
    assert_error(client.delete(url, {"emoji": "👍"}, format="json"), 404)


BAD_PAGING = ["?limit=0", "?limit=abc", "?cursor=%%%", "?cursor=WzEsMl0", "?after=-1", "?after=x"]


def test_bad_paging_parameters_are_400(client, public_forum):
    topics = f"/api/v1/networks/germany/categories/{public_forum.category.pk}/topics/"
    for query in BAD_PAGING:
        assert_error(client.get(f"/api/v1/topics/{public_forum.topic.pk}/posts/{query}"), 400)
        if "after" not in query:
            assert_error(client.get(topics + query), 400)


def test_creating_a_category_with_a_taken_slug_is_409(api, moderator, public_forum):
    before = snapshot()
    response = api(moderator).post(
        "/api/v1/networks/germany/categories/", {"name": "Again", "slug": "general"}, format="json"
    )
    assert_error(response, 409, "slug_taken")
    assert snapshot() == before


def test_changing_deleted_things_is_409(api, member, moderator, public_forum):
    from community.forums import actions

    actions.do_delete_post(member, public_forum.reply)
    before = snapshot()
    url = f"/api/v1/posts/{public_forum.reply.pk}/"
    assert_error(api(member).delete(url), 409, "post_deleted")
    assert_error(api(moderator).patch(url, {"body": "x"}, format="json"), 409, "post_deleted")
    assert_error(
        api(member).post(url + "reactions/", {"emoji": "👍"}, format="json"), 409, "post_deleted"
    )
    assert_error(api(moderator).post(f"/api/v1/posts/{public_forum.first_post.pk}/restore/"), 409)
    assert snapshot() == before


def test_an_unknown_category_for_a_move_in_a_fresh_network_is_400(api, owner, public_network):
    category = make_category(public_network, owner)
    topic = make_topic(category, owner, "Mine", "Body")
    response = api(owner).patch(f"/api/v1/topics/{topic.pk}/", {"pinned": "maybe"}, format="json")
    assert_error(response, 400)
