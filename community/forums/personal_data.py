"""Forums in the "your data" archive, and in an account's erasure (core.personal_data).

Kept, a person's topics and posts stay under "Deleted member". Erased, every post loses
its words (and the earlier versions moderators could read) and is deleted in place, as a
deletion by its author would (counts and last posts follow; open topic pages are told);
a topic they opened goes too unless someone else's post is still in it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from community.forums import events
from community.forums.actions.posts import lock_topic, refresh_last_post
from community.forums.mentions import render_post_body
from community.forums.models import Mention, Post, PostRevision, Reaction, Topic, TopicWatch
from community.forums.search import POSTS, TOPICS
from community.rendering import rename_mentions
from core import personal_data
from search import outbox


@personal_data.section("forums")
def export_forums(user: Any) -> dict[str, Any]:
    topics = [
        {
            "id": t.pk,
            "network": t.network.slug,
            "title": t.title,
            "created_at": personal_data.iso(t.created_at),
            "deleted": t.deleted,
        }
        for t in Topic.objects.filter(author=user).select_related("network").order_by("id")
    ]
    posts = []
    for post in (
        Post.objects.filter(author=user)
        .select_related("topic__network")
        .prefetch_related("revisions")
        .order_by("id")
        .iterator(chunk_size=500)
    ):
        posts.append(
            {
                "id": post.pk,
                "topic": post.topic_id,
                "network": post.topic.network.slug,
                "body": post.body,
                "created_at": personal_data.iso(post.created_at),
                "edited_at": personal_data.iso(post.edited_at),
                "deleted": post.deleted,
                "earlier_versions": [
                    {"body": r.body, "replaced_at": personal_data.iso(r.created_at)}
                    for r in sorted(post.revisions.all(), key=lambda r: r.number)
                ],
            }
        )
    reactions = [
        {
            "post": r["post_id"],
            "emoji": r["emoji"],
            "created_at": personal_data.iso(r["created_at"]),
        }
        for r in Reaction.objects.filter(user=user)
        .order_by("id")
        .values("post_id", "emoji", "created_at")
    ]
    watching = list(
        TopicWatch.objects.filter(user=user, watching=True)
        .order_by("topic_id")
        .values_list("topic_id", flat=True)
    )
    return {"topics": topics, "posts": posts, "reactions": reactions, "watching": watching}


@personal_data.eraser("forums.mentions", order=5)
def rename_their_mentions(user: Any, erase_content: bool) -> None:
    """Others' posts that @name the person name the deleted account instead (see
    chat.personal_data.rename_their_mentions)."""
    old, new = user.get_username(), personal_data.erased_username(user.pk)
    ids = []
    posts = Post.objects.filter(body__icontains=f"@{old}").exclude(author=user)
    for post in posts.select_related("topic__network").iterator(chunk_size=500):
        body = rename_mentions(post.body, old, new)
        if body == post.body:
            continue
        post.body = body
        post.body_html = render_post_body(post.topic.network, body).html
        post.save(update_fields=["body", "body_html"])
        ids.append(post.pk)
    earlier = PostRevision.objects.filter(body__icontains=f"@{old}").exclude(post__author=user)
    for revision in earlier.iterator(chunk_size=500):
        revision.body = rename_mentions(revision.body, old, new)
        revision.save(update_fields=["body"])
    outbox.enqueue(POSTS, ids)


@personal_data.eraser("forums", order=60)
def erase_forums(user: Any, erase_content: bool) -> None:
    TopicWatch.objects.filter(user=user).delete()
    Mention.objects.filter(user=user).delete()
    if not erase_content:
        return
    now = timezone.now()
    post_ids: list[int] = []
    topic_ids = sorted(set(Post.objects.filter(author=user).values_list("topic_id", flat=True)))
    for found in Topic.objects.filter(pk__in=topic_ids).select_related("network", "category"):
        topic = lock_topic(found)
        theirs = Post.objects.select_for_update().filter(topic=topic, author=user)
        for post in theirs.order_by("id"):
            post.topic = topic
            post_ids.append(post.pk)
            was_shown = not post.deleted
            post.body = post.body_html = ""
            post.deleted = True
            post.deleted_by_id = post.deleted_by_id or user.pk
            post.deleted_at = post.deleted_at or now
            post.save(update_fields=["body", "body_html", "deleted", "deleted_by", "deleted_at"])
            if was_shown:
                topic.post_count -= 1
                events.post_event("post_deleted", post)
        refresh_last_post(topic)
        topic.save(update_fields=["post_count", "last_post"])
    PostRevision.objects.filter(post_id__in=post_ids).delete()
    others = Post.objects.filter(topic=OuterRef("pk"), deleted=False).exclude(author=user)
    alone = Topic.objects.filter(author=user, deleted=False).exclude(Exists(others))
    gone = list(alone.values_list("id", flat=True))
    alone.update(deleted=True, deleted_by=user, deleted_at=now, title="")
    outbox.enqueue(POSTS, post_ids)
    outbox.enqueue(TOPICS, sorted(set(topic_ids) | set(gone)))
