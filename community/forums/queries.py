"""Forum reads shared by the API and the web pages: permission-checked, keyset-paginated.

The callers first obtain the network, category or topic through `forums.access`,
which decides visibility; these functions only shape the rows. Every list is a
fixed number of queries whatever its length, locked by tests.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from rest_framework.request import Request

from community.forums.models import Category, Post, PostRevision, Reaction, Topic
from community.models import Network
from core.errors import InvalidInput
from core.pagination import decode_cursor, encode_cursor, paginate, parse_limit
from core.validation import is_int
from permissions.checks import AnyUser

TOPIC_ORDER = ("-pinned", "-last_activity_at", "-id")


def list_categories(network: Network) -> QuerySet[Category]:
    """A network's categories with their count of live topics."""
    return (
        Category.objects.filter(network=network)
        .select_related("network")
        .annotate(topic_count=Count("topics", filter=Q(topics__deleted=False)))
    )


def page_categories(network: Network, request: Request) -> tuple[list[Category], str | None]:
    return paginate(list_categories(network), request, ("position", "id"))


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


def page_topics(category: Category, request: Request) -> tuple[list[Topic], str | None]:
    """One API page of topics (`?limit=`, `?cursor=`)."""
    return topic_page(category, request.query_params.get("cursor"), parse_limit(request))


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


def list_posts(topic: Topic) -> QuerySet[Post]:
    return Post.objects.filter(topic=topic).select_related("author__profile")


def parse_after(request: Request) -> int | None:
    """`?after=<post id>`: only posts after that one (what a live client already has)."""
    raw = request.query_params.get("after")
    if raw is None or raw == "":
        return None
    try:
        after = int(raw)
    except ValueError:
        after = -1
    if not 0 <= after < 2**63:
        raise InvalidInput(
            "invalid", "after must be a post id.", {"after": ["Not a non-negative integer."]}
        )
    return after


def page_posts(topic: Topic, request: Request) -> tuple[list[Post], str | None]:
    """One page of a topic's posts in order, after `?after=` and/or the `?cursor=`."""
    posts = list_posts(topic)
    after = parse_after(request)
    if after is not None:
        posts = posts.filter(id__gt=after)
    return paginate(posts, request, ("id",))


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
