"""Forum reads shared by the API and the web pages: permission-checked, keyset-paginated.

The callers first obtain the network, category or topic through `forums.access`,
which decides visibility; these functions only shape the rows. They take plain values
(a cursor, a limit, a post id), never a request: the views parse it. Every list is a
fixed number of queries whatever its length, locked by tests.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce

from community.forums.models import Category, Post, PostRevision, Reaction, Topic, TopicWatch
from community.models import Network
from core.errors import InvalidInput
from core.pagination import decode_cursor, encode_cursor
from core.validation import is_int
from permissions.checks import AnyUser

TOPIC_ORDER = ("-pinned", "-last_activity_at", "-id")


CATEGORY_ORDER = ("position", "id")


def list_categories(network: Network) -> QuerySet[Category]:
    """A network's categories with their count of live topics (page them in CATEGORY_ORDER)."""
    return (
        Category.objects.filter(network=network)
        .select_related("network")
        .annotate(topic_count=Count("topics", filter=Q(topics__deleted=False)))
    )


def list_topics(category: Category) -> QuerySet[Topic]:
    """Live topics of a category, with what a list row shows (author, last post, network).

    The last post is joined for its author and time only: its body (up to 64 KiB,
    twice with the HTML) stays in the database.
    """
    return (
        Topic.objects.filter(category=category, deleted=False)
        .select_related("network", "author__profile", "last_post__author__profile")
        .defer("last_post__body", "last_post__body_html")
    )


def topic_row(topic_id: int) -> Topic:
    """One topic as lists show it (for responses after a read or a change)."""
    return (
        Topic.objects.select_related("network", "author__profile", "last_post__author__profile")
        .defer("last_post__body", "last_post__body_html")
        .get(pk=topic_id)
    )


def topic_page(
    category: Category, cursor: str | None, limit: int
) -> tuple[list[Topic], str | None]:
    """One page of topics: pinned first, then by latest activity (keyset, not offset).

    The cursor is (pinned as 0/1, last_activity_at, id): the generic `paginate`
    refuses booleans in cursors. Past the pinned topics, the condition starts with
    `pinned = false AND last_activity_at <= t`, which the partial index
    `forums_topic_list` answers as a range: a page deep in a big category costs what
    the first page costs. Raises InvalidInput for a cursor that is not one of ours.
    """
    topics = list_topics(category).order_by(*TOPIC_ORDER)
    if cursor:
        pinned, at, last_id = decode_cursor(cursor, 3)
        if (
            not is_int(pinned)
            or pinned not in (0, 1)
            or not isinstance(at, dt.datetime)
            or at.tzinfo is None
            or not is_int(last_id)
        ):
            raise InvalidInput(
                "invalid_cursor", "The cursor is not valid.", {"cursor": ["Invalid."]}
            )
        later = Q(last_activity_at__lt=at) | Q(last_activity_at=at, id__lt=last_id)
        if pinned:
            topics = topics.filter((Q(pinned=True) & later) | Q(pinned=False))
        else:
            topics = topics.filter(later, pinned=False, last_activity_at__lte=at)
    rows = list(topics[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([int(last.pinned), last.last_activity_at, last.pk])
    return rows, next_cursor


def list_posts(topic: Topic, *, after: int | None = None) -> QuerySet[Post]:
    """A topic's posts (page them by id); `after`: only those after that post (what a live
    client already has)."""
    posts = Post.objects.filter(topic=topic).select_related("author__profile")
    return posts if after is None else posts.filter(id__gt=after)


def page_cursor_of_post(topic: Topic, post_id: int, per_page: int) -> str | None:
    """The cursor of the page of the topic (pages of `per_page` posts by id) that holds this
    post, or None when it is on the first page (or not in the topic): where a notification
    about a reply in a long topic leads. Two indexed queries."""
    before = Post.objects.filter(topic=topic, id__lt=post_id).count()
    if before < per_page or not Post.objects.filter(topic=topic, pk=post_id).exists():
        return None
    boundary = (before // per_page) * per_page - 1
    last_of_previous = (
        Post.objects.filter(topic=topic).order_by("id").values_list("id", flat=True)[boundary]
    )
    return encode_cursor([last_of_previous])


def reaction_summaries(posts: list[Post], user: AnyUser) -> dict[int, list[dict[str, Any]]]:
    """Per post: each emoji with its count and whether `user` used it, in order of first use.

    One query for the whole page.
    """
    if not posts:
        return {}
    rows = (
        Reaction.objects.filter(post_id__in=[p.pk for p in posts])
        .values("post_id", "emoji")
        .annotate(
            count=Count("id"),
            first=Min("id"),
            mine=Coalesce(Max("id", filter=Q(user_id=user.pk or 0)), 0),
        )
        .order_by("post_id", "first")
    )
    summaries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        summaries[row["post_id"]].append(
            {"emoji": row["emoji"], "count": row["count"], "me": bool(row["mine"])}
        )
    return dict(summaries)


def list_revisions(post: Post) -> QuerySet[PostRevision]:
    return PostRevision.objects.filter(post=post).select_related("edited_by__profile")


def is_watching(user: AnyUser, topic: Topic) -> bool:
    """Does the user hear of every reply to this topic?"""
    if not user.is_authenticated:
        return False
    return TopicWatch.objects.filter(topic=topic, user_id=user.pk, watching=True).exists()
