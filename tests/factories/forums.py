"""Forum categories, topics and posts, created through the real actions."""

from __future__ import annotations

import itertools
from typing import Any

from community.forums import actions
from community.forums.models import Category, Post, Topic
from community.models import Network
from tests.factories.users import make_user

_counter = itertools.count(1)


def make_category(network: Network, actor: Any | None = None, **fields: Any) -> Category:
    """A category made by the network's first owner unless `actor` is given."""
    n = next(_counter)
    if actor is None:
        actor = network.memberships.filter(role="owner").first().user
    defaults: dict[str, Any] = {"name": f"Category {n}", "slug": f"category-{n}"}
    defaults.update(fields)
    return actions.do_create_category(actor, network, **defaults)


def make_topic(
    category: Category, author: Any, title: str | None = None, body: str = "Opening post."
) -> Topic:
    topic, _ = actions.do_create_topic(author, category, title or f"Topic {next(_counter)}", body)
    return topic


def make_post(topic: Topic, author: Any, body: str | None = None, **kwargs: Any) -> Post:
    return actions.do_reply(author, topic, body or f"Reply {next(_counter)}", **kwargs)


def make_poster(network: Network, name: str | None = None) -> Any:
    """A fresh active member of `network`."""
    from tests.factories.networks import add_member

    user = make_user(name)
    add_member(network, user)
    return user


def bulk_topics(category: Category, author: Any, count: int, *, pinned: int = 0) -> list[Topic]:
    """`count` topics with a first post each, written in bulk (for size-independence tests).

    Activity times are distinct and increasing, so the expected order is known. The
    first `pinned` topics are pinned.
    """
    import datetime as dt

    from django.utils import timezone

    start = timezone.now() - dt.timedelta(days=1)
    topics = Topic.objects.bulk_create(
        Topic(
            network=category.network,
            category=category,
            author=author,
            title=f"Bulk topic {i}",
            pinned=i < pinned,
            created_at=start + dt.timedelta(seconds=i),
            last_activity_at=start + dt.timedelta(seconds=i),
            post_count=1,
        )
        for i in range(count)
    )
    posts = Post.objects.bulk_create(
        Post(topic=t, author=author, body="b", body_html="<p>b</p>", created_at=t.created_at)
        for t in topics
    )
    for topic, post in zip(topics, posts, strict=True):
        topic.last_post = post
    Topic.objects.bulk_update(topics, ["last_post"])
    return topics


def bulk_posts(topic: Topic, authors: list[Any], count: int) -> list[Post]:
    """`count` replies by `authors` in turn, each with a reaction from the next author."""
    from community.forums.models import Reaction

    posts = Post.objects.bulk_create(
        Post(
            topic=topic,
            author=authors[i % len(authors)],
            body=f"Reply {i} @{authors[0].get_username()}",
            body_html=f"<p>Reply {i}</p>",
        )
        for i in range(count)
    )
    Reaction.objects.bulk_create(
        Reaction(post=p, user=authors[(i + 1) % len(authors)], emoji="👍")
        for i, p in enumerate(posts)
    )
    Topic.objects.filter(pk=topic.pk).update(post_count=topic.post_count + count)
    return posts
