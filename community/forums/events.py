"""Real-time forum events, sent after commit.

Group `topic.<id>` (everyone viewing a topic):

| type | fields |
|---|---|
| `forums.post` | `topic`, `post` (as `GET /topics/{id}/posts/` without `reactions`) |
| `forums.post_edited` / `forums.post_deleted` / `forums.post_restored` | `topic`, `post` |
| `forums.reaction_added` / `_removed` | `topic`, `post` (id), `emoji`, `user`, `count` |
| `forums.topic_updated` | `topic` (as `GET /topics/{id}/`), `changes` (field names) |

Group `user.<id>`: `forums.mention` with `network`, `topic`, `post` (ids) when a post
names that member.

A deleted post's body is never in an event: subscribers include non-moderators.

Websocket clients receive the `topic.<id>` events, exactly as built here, after a
`topic.subscribe` frame (realtime.consumers; the chat hub fans them out per process).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from community.forums.models import Post, Topic
from community.forums.serializers import PostEventSerializer, TopicSerializer, UserSummarySerializer
from core.events import send_event_on_commit, topic_group, user_group

TOPIC_UPDATED = "forums.topic_updated"
# The events of a topic's group: what a websocket watching the topic receives.
TOPIC_EVENTS = frozenset(
    {
        "forums.post",
        "forums.post_edited",
        "forums.post_deleted",
        "forums.post_restored",
        "forums.reaction_added",
        "forums.reaction_removed",
        TOPIC_UPDATED,
    }
)


def event_topic_id(event: dict[str, Any]) -> int:
    """The topic an event of TOPIC_EVENTS is about (`forums.topic_updated` carries the topic)."""
    topic = event["topic"]
    return int(topic["id"] if isinstance(topic, dict) else topic)


def post_event(kind: str, post: Post) -> None:
    """`forums.<kind>` for a post (new, edited, deleted, restored) to its topic's group."""
    send_event_on_commit(
        topic_group(post.topic_id),
        {
            "type": f"forums.{kind}",
            "topic": post.topic_id,
            "post": PostEventSerializer(post).data,
        },
    )


def reaction_event(kind: str, post: Post, emoji: str, user: Any, count: int) -> None:
    """`forums.reaction_added` / `forums.reaction_removed`, with the emoji's new count."""
    send_event_on_commit(
        topic_group(post.topic_id),
        {
            "type": f"forums.{kind}",
            "topic": post.topic_id,
            "post": post.pk,
            "emoji": emoji,
            "user": UserSummarySerializer(user).data,
            "count": count,
        },
    )


def topic_event(topic: Topic, changes: Iterable[str]) -> None:
    """`forums.topic_updated`: pinned, locked, renamed, moved, deleted or restored."""
    send_event_on_commit(
        topic_group(topic.pk),
        {
            "type": TOPIC_UPDATED,
            "topic": TopicSerializer(topic).data,
            "changes": sorted(changes),
        },
    )


def mention_events(post: Post, user_ids: Iterable[int]) -> None:
    """Tell each newly mentioned member (not the author) where they were named."""
    for user_id in sorted(set(user_ids)):
        if user_id == post.author_id:
            continue
        send_event_on_commit(
            user_group(user_id),
            {
                "type": "forums.mention",
                "network": post.topic.network_id,
                "topic": post.topic_id,
                "post": post.pk,
            },
        )
