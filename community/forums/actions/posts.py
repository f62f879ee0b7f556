"""Replying to, editing, deleting and restoring posts.

A new or edited post notifies the people it mentions and a reply its topic's watchers
and the author it answers, in the same transaction (`watching`).

Every change to a topic's posts locks the topic row first (`SELECT … FOR UPDATE`),
so `post_count`, `last_post` and `last_activity_at` stay exact when replies race.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from community.actions.common import audit
from community.forums import access, events
from community.forums.actions._text import check_body
from community.forums.actions.budgets import REPLY, check_posting_budget
from community.forums.actions.watching import notify_mentions, notify_reply, watch_by_default
from community.forums.mentions import render_post_body
from community.forums.models import Mention, Post, PostRevision, Topic
from community.forums.search import POSTS
from core.errors import InvalidInput, NotFound, StateConflict
from core.validation import is_int
from search import outbox as search_outbox


def lock_topic(topic: Topic) -> Topic:
    """Re-read the topic under a row lock, keeping the caller's network (and its memo)."""
    locked = Topic.objects.select_for_update().filter(pk=topic.pk).first()
    if locked is None:
        raise NotFound()
    locked.network = topic.network
    locked.category = topic.category
    return locked


def _lock_post(post: Post) -> Post:
    locked = Post.objects.select_for_update().filter(pk=post.pk).first()
    if locked is None:
        raise NotFound()
    locked.topic = post.topic
    locked.author = post.author
    return locked


def _sync_mentions(post: Post, mentioned: set[int]) -> set[int]:
    """Make the post's Mention rows match; return the members mentioned for the first time."""
    existing = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
    if existing - mentioned:
        Mention.objects.filter(post=post, user_id__in=existing - mentioned).delete()
    new = mentioned - existing
    Mention.objects.bulk_create(Mention(post=post, user_id=uid) for uid in sorted(new))
    return new


def refresh_last_post(topic: Topic) -> None:
    topic.last_post = (
        Post.objects.filter(topic=topic, deleted=False).order_by("-id").only("id").first()
    )


def write_post(
    topic: Topic, author: User, body: str, reply_to: Post | None = None
) -> tuple[Post, set[int]]:
    """Insert a post into a topic the caller holds locked, bump the topic's counters, make
    the author watch the topic (unless they chose not to) and notify whom it mentions.
    Returns the post and the members it mentions."""
    rendered = render_post_body(topic.network, body)
    now = timezone.now()
    post = Post.objects.create(
        topic=topic,
        author=author,
        body=body,
        body_html=rendered.html,
        reply_to=reply_to,
        created_at=now,
    )
    post.topic = topic
    topic.post_count += 1
    topic.last_post = post
    topic.last_activity_at = now
    topic.save(update_fields=["post_count", "last_post", "last_activity_at"])
    mentioned = _sync_mentions(post, rendered.mentioned_ids)
    events.mention_events(post, mentioned)
    watch_by_default(topic, author)
    notify_mentions(post, author, mentioned)
    search_outbox.enqueue(POSTS, [post.pk])
    return post, mentioned


def _reply_target(topic: Topic, reply_to_id: Any) -> Post | None:
    if reply_to_id is None:
        return None
    if not is_int(reply_to_id):
        raise InvalidInput("invalid", "reply_to must be a post id.", {"reply_to": ["Not an id."]})
    target = Post.objects.filter(pk=reply_to_id, topic=topic).first()
    if target is None:
        raise InvalidInput(
            "invalid", "reply_to must be a post of this topic.", {"reply_to": ["Not in topic."]}
        )
    return target


@transaction.atomic
def do_reply(actor: User, topic: Topic, body: Any, reply_to_id: Any = None) -> Post:
    """Add a reply: members who may post, in an open topic (moderators also in locked ones)."""
    access.check_can_reply(actor, topic)
    body = check_body(body)
    topic = lock_topic(topic)
    if topic.deleted:
        raise StateConflict("topic_deleted", "This topic has been deleted.")
    access.check_can_reply(actor, topic)  # the topic may have been locked meanwhile
    check_posting_budget(actor, topic.network, REPLY)
    post, mentioned = write_post(topic, actor, body, _reply_target(topic, reply_to_id))
    notify_reply(post, actor, mentioned)
    events.post_event("post", post)
    return post


@transaction.atomic
def do_edit_post(actor: User, post: Post, body: Any) -> Post:
    """The author (or a moderator of a lower rank) replaces the body; the previous one
    becomes a revision, and someone else's edit is audited and marks the post as edited
    by a moderator."""
    access.check_can_edit_post(actor, post)
    body = check_body(body)
    topic = lock_topic(post.topic)
    post = _lock_post(post)
    post.topic = topic
    access.check_can_edit_post(actor, post)  # the topic may have been locked meanwhile
    if post.deleted:
        raise StateConflict("post_deleted", "A deleted post cannot be edited; restore it first.")
    if body == post.body:
        return post
    now = timezone.now()
    by_moderator = not access.is_author(actor, post.author_id)
    # Revision n holds the body as it was before the n-th edit, and who replaced it.
    PostRevision.objects.create(
        post=post,
        number=post.edit_count + 1,
        body=post.body,
        edited_by=actor,
        by_moderator=by_moderator,
        created_at=now,
    )
    rendered = render_post_body(post.topic.network, body)
    post.body = body
    post.body_html = rendered.html
    post.edit_count += 1
    post.edited_at = now
    post.edited_by_moderator = post.edited_by_moderator or by_moderator
    post.save(update_fields=["body", "body_html", "edit_count", "edited_at", "edited_by_moderator"])
    if by_moderator:
        audit(
            post.topic.network,
            actor,
            "forum.post.edit",
            target=post,
            target_user_id=post.author_id,
            topic=post.topic_id,
        )
    mentioned = _sync_mentions(post, rendered.mentioned_ids)
    events.mention_events(post, mentioned)
    notify_mentions(post, actor, mentioned, edit=True)
    events.post_event("post_edited", post)
    search_outbox.enqueue(POSTS, [post.pk])
    return post


@transaction.atomic
def do_delete_post(actor: User, post: Post, reason: str = "") -> Post:
    """Soft-delete: the post keeps its place, its body is hidden from everyone but moderators."""
    access.check_can_delete_post(actor, post)
    topic = lock_topic(post.topic)
    post = _lock_post(post)
    post.topic = topic
    if post.deleted:
        raise StateConflict("post_deleted", "This post is already deleted.")
    post.deleted = True
    post.deleted_by = actor
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted", "deleted_by", "deleted_at"])
    topic.post_count -= 1
    if topic.last_post_id == post.pk:
        refresh_last_post(topic)
    topic.save(update_fields=["post_count", "last_post"])
    if not access.is_author(actor, post.author_id):
        audit(
            topic.network,
            actor,
            "forum.post.delete",
            target=post,
            target_user_id=post.author_id,
            reason=reason,
            topic=topic.pk,
        )
    events.post_event("post_deleted", post)
    search_outbox.enqueue(POSTS, [post.pk])
    return post


@transaction.atomic
def do_restore_post(actor: User, post: Post, reason: str = "") -> Post:
    """Moderators bring a deleted post back, body and all."""
    access.check_can_restore_post(actor, post)
    topic = lock_topic(post.topic)
    post = _lock_post(post)
    post.topic = topic
    if not post.deleted:
        raise StateConflict("not_deleted", "This post is not deleted.")
    post.deleted = False
    post.deleted_by = None
    post.deleted_at = None
    post.save(update_fields=["deleted", "deleted_by", "deleted_at"])
    topic.post_count += 1
    if topic.last_post_id is None or topic.last_post_id < post.pk:
        topic.last_post = post
    topic.save(update_fields=["post_count", "last_post"])
    audit(
        topic.network,
        actor,
        "forum.post.restore",
        target=post,
        target_user_id=post.author_id,
        reason=reason,
        topic=topic.pk,
    )
    events.post_event("post_restored", post)
    search_outbox.enqueue(POSTS, [post.pk])
    return post
