"""Reads: order, keyset pagination, and a query count that does not grow with the data."""

from __future__ import annotations

from typing import Any

import pytest

from community.forums import actions
from tests.factories.forums import bulk_posts, bulk_topics, make_category, make_post, make_topic
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def all_pages(client: Any, url: str, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sep = "&" if "?" in url else "?"
    next_url = f"{url}{sep}limit={limit}"
    while next_url:
        data = client.get(next_url).json()
        rows += data["results"]
        next_url = f"{url}{sep}limit={limit}&cursor={data['next']}" if data["next"] else None
    return rows


def test_topics_come_pinned_first_then_by_latest_activity(api, public_network, owner, member):
    category = make_category(public_network, owner)
    old = make_topic(category, member, "Old")
    pinned = make_topic(category, member, "Pinned")
    new = make_topic(category, member, "New")
    actions.do_update_topic(owner, pinned, pinned=True)
    url = f"/api/v1/networks/germany/categories/{category.pk}/topics/"
    assert [t["title"] for t in api(member).get(url).json()["results"]] == ["Pinned", "New", "Old"]
    make_post(old, member, "A reply revives the old topic")
    assert [t["title"] for t in api(member).get(url).json()["results"]] == ["Pinned", "Old", "New"]
    assert new  # created only to be overtaken


def test_topic_pages_cover_every_topic_once_in_order(api, public_network, owner, member):
    category = make_category(public_network, owner)
    topics = bulk_topics(category, member, 23, pinned=3)
    url = f"/api/v1/networks/germany/categories/{category.pk}/topics/"
    rows = all_pages(api(member), url, limit=4)
    pinned = [t.pk for t in reversed(topics[:3])]
    others = [t.pk for t in reversed(topics[3:])]
    assert [r["id"] for r in rows] == pinned + others


def test_topics_with_the_same_activity_time_are_not_skipped(api, public_network, owner, member):
    from community.forums.models import Topic

    category = make_category(public_network, owner)
    topics = bulk_topics(category, member, 9, pinned=2)
    Topic.objects.filter(pk__in=[t.pk for t in topics]).update(
        last_activity_at=topics[0].last_activity_at
    )
    url = f"/api/v1/networks/germany/categories/{category.pk}/topics/"
    rows = all_pages(api(member), url, limit=2)
    assert sorted(r["id"] for r in rows) == sorted(t.pk for t in topics)
    assert len(rows) == 9


def test_posts_come_in_order_and_after_skips_what_the_client_has(api, public_forum, member):
    later = [make_post(public_forum.topic, member, f"Later {i}") for i in range(5)]
    url = f"/api/v1/topics/{public_forum.topic.pk}/posts/"
    rows = all_pages(api(member), url, limit=2)
    expected = [public_forum.first_post.pk, public_forum.reply.pk] + [p.pk for p in later]
    assert [r["id"] for r in rows] == expected
    after = api(member).get(f"{url}?after={later[1].pk}").json()
    assert [r["id"] for r in after["results"]] == [p.pk for p in later[2:]]
    assert after["next"] is None
    paged = all_pages(api(member), f"{url}?after={public_forum.reply.pk}", limit=2)
    assert [r["id"] for r in paged] == [p.pk for p in later]


@pytest.fixture
def big_forum(public_network, owner, member):
    def build(size: int) -> tuple[Any, Any]:
        category = make_category(public_network, owner)
        topics = bulk_topics(category, member, size, pinned=2)
        posters = [member, owner] + [make_user() for _ in range(3)]
        for user in posters[2:]:
            add_member(public_network, user)
        bulk_posts(topics[0], posters, size)
        return category, topics[0]

    return build


# Token, network with the caller's membership and grants, category, topics.
TOPIC_LIST_QUERIES = 4
# Token, topic with its network, the caller's grants, posts, reaction counts.
POST_LIST_QUERIES = 5


@pytest.mark.parametrize("size", [5, 500])
def test_topic_list_costs_the_same_for_5_and_500_topics(
    api, member, big_forum, size, django_assert_num_queries
):
    category, _ = big_forum(size)
    client = api(member)
    url = f"/api/v1/networks/germany/categories/{category.pk}/topics/"
    client.get(url)  # warm the per-user caches the way a session would
    with django_assert_num_queries(TOPIC_LIST_QUERIES):
        data = client.get(url).json()
    assert len(data["results"]) == min(size, 50)
    if size > 50:
        with django_assert_num_queries(TOPIC_LIST_QUERIES):
            assert len(client.get(f"{url}?cursor={data['next']}").json()["results"]) == 50


@pytest.mark.parametrize("size", [5, 500])
def test_post_list_costs_the_same_for_5_and_500_posts(
    api, member, big_forum, size, django_assert_num_queries
):
    _, topic = big_forum(size)
    client = api(member)
    url = f"/api/v1/topics/{topic.pk}/posts/"
    client.get(url)
    with django_assert_num_queries(POST_LIST_QUERIES):
        data = client.get(url).json()
    assert len(data["results"]) == min(size + 1, 50)
    assert all(r["reactions"] for r in data["results"][1:])
    if size > 50:
        with django_assert_num_queries(POST_LIST_QUERIES):
            assert len(client.get(f"{url}?cursor={data['next']}").json()["results"]) == 50


def test_the_web_category_page_pages_past_pinned_topics(client, public_network, owner, member):
    import re

    category = make_category(public_network, owner)
    topics = bulk_topics(category, member, 40, pinned=2)
    client.force_login(member)
    url = f"/networks/germany/forums/{category.pk}/"
    first = client.get(url).content.decode()
    cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", first)
    assert cursor is not None
    second = client.get(f"{url}?cursor={cursor.group(1)}")
    assert second.status_code == 200
    page = second.content.decode()
    assert re.search(rf"{topics[2].title}\b", page)  # the oldest unpinned topic
    assert not re.search(rf"{topics[0].title}\b", page)  # pinned: on the first page
    assert client.get(f"{url}?cursor=garbage").status_code == 404
