"""Opening topics and moderating them: rename, pin, lock, move, delete, restore."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from community.actions.common import audit
from community.forums import access, events
from community.forums.actions._text import check_body, check_title
from community.forums.actions.budgets import TOPIC, check_posting_budget
from community.forums.actions.posts import lock_topic, write_post
from community.forums.models import Category, Post, Topic
from community.forums.search import POSTS, TOPICS
from core.errors import InvalidInput, StateConflict
from core.validation import is_int
from search import outbox as search_outbox


@transaction.atomic
def do_create_topic(actor: User, category: Category, title: Any, body: Any) -> tuple[Topic, Post]:
    """Open a topic; its body becomes the first post. Returns the topic and that post."""
    access.check_can_open_topic(actor, category)
    title = check_title(title)
    body = check_body(body)
    check_posting_budget(actor, category.network, TOPIC)
    now = timezone.now()
    topic = Topic.objects.create(
        network=category.network,
        category=category,
        author=actor,
        title=title,
        created_at=now,
        last_activity_at=now,
    )
    topic.network = category.network
    topic.category = category
    post, _mentioned = write_post(topic, actor, body)
    events.post_event("post", post)
    search_outbox.enqueue(TOPICS, [topic.pk])
    return topic, post


def _bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(
            "invalid", f"{field} must be true or false.", {field: ["Not a boolean."]}
        )
    return value


def _target_category(topic: Topic, category_id: Any) -> Category:
    """A category of the topic's own network: topics never move across networks."""
    if not is_int(category_id):
        raise InvalidInput("invalid", "category must be an id.", {"category": ["Not an id."]})
    category = Category.objects.filter(pk=category_id, network_id=topic.network_id).first()
    if category is None:
        raise InvalidInput(
            "invalid_category",
            "Topics move only to another category of the same network.",
            {"category": ["No such category in this network."]},
        )
    category.network = topic.network
    return category


@transaction.atomic
def do_update_topic(
    actor: User,
    topic: Topic,
    *,
    title: Any = None,
    pinned: Any = None,
    locked: Any = None,
    category_id: Any = None,
    reason: str = "",
) -> Topic:
    """Apply a PATCH all or nothing: the author or a moderator renames; moderators pin, lock, move.

    Every permission and value is checked before anything is written.
    """
    if title is not None:
        access.check_can_rename_topic(actor, topic)
        title = check_title(title)
    if pinned is not None or locked is not None or category_id is not None:
        access.check_can_moderate_topic(actor, topic)
    pinned = _bool("pinned", pinned) if pinned is not None else None
    locked = _bool("locked", locked) if locked is not None else None
    target = _target_category(topic, category_id) if category_id is not None else None

    topic = lock_topic(topic)
    if topic.deleted:
        raise StateConflict("topic_deleted", "This topic has been deleted; restore it first.")
    changes: dict[str, list[Any]] = {}
    if title is not None and title != topic.title:
        changes["title"] = [topic.title, title]
        topic.title = title
    if pinned is not None and pinned != topic.pinned:
        changes["pinned"] = [topic.pinned, pinned]
        topic.pinned = pinned
    if locked is not None and locked != topic.locked:
        changes["locked"] = [topic.locked, locked]
        topic.locked = locked
    if target is not None and target.pk != topic.category_id:
        changes["category"] = [topic.category_id, target.pk]
        topic.category = target
    if not changes:
        return topic
    topic.save(update_fields=list(changes))
    network = topic.network
    moderated = set(changes) - {"title"}
    if moderated or not access.is_author(actor, topic.author_id):
        for field in sorted(changes):
            audit(
                network,
                actor,
                _AUDIT_ACTIONS[field](changes[field][1]),
                target=topic,
                target_user_id=topic.author_id,
                reason=reason,
                before=changes[field][0],
                after=changes[field][1],
            )
    events.topic_event(topic, changes)
    search_outbox.enqueue(TOPICS, [topic.pk])
    return topic


_AUDIT_ACTIONS = {
    "title": lambda _: "forum.topic.rename",
    "pinned": lambda on: "forum.topic.pin" if on else "forum.topic.unpin",
    "locked": lambda on: "forum.topic.lock" if on else "forum.topic.unlock",
    "category": lambda _: "forum.topic.move",
}


@transaction.atomic
def do_delete_topic(actor: User, topic: Topic, reason: str = "") -> Topic:
    """Moderators soft-delete a topic (not one an equal or a higher rank opened): it leaves
    every list; moderators can restore it."""
    access.check_can_take_down_topic(actor, topic)
    topic = lock_topic(topic)
    if topic.deleted:
        raise StateConflict("topic_deleted", "This topic is already deleted.")
    topic.deleted = True
    topic.deleted_by = actor
    topic.deleted_at = timezone.now()
    topic.save(update_fields=["deleted", "deleted_by", "deleted_at"])
    audit(
        topic.network,
        actor,
        "forum.topic.delete",
        target=topic,
        target_user_id=topic.author_id,
        reason=reason,
    )
    events.topic_event(topic, ["deleted"])
    search_outbox.enqueue(TOPICS, [topic.pk])
    search_outbox.enqueue(POSTS, topic.posts.values_list("pk", flat=True))
    return topic


@transaction.atomic
def do_restore_topic(actor: User, topic: Topic, reason: str = "") -> Topic:
    """Moderators bring a deleted topic back into its category."""
    access.check_can_take_down_topic(actor, topic)
    topic = lock_topic(topic)
    if not topic.deleted:
        raise StateConflict("not_deleted", "This topic is not deleted.")
    topic.deleted = False
    topic.deleted_by = None
    topic.deleted_at = None
    topic.save(update_fields=["deleted", "deleted_by", "deleted_at"])
    audit(
        topic.network,
        actor,
        "forum.topic.restore",
        target=topic,
        target_user_id=topic.author_id,
        reason=reason,
    )
    events.topic_event(topic, ["deleted"])
    search_outbox.enqueue(TOPICS, [topic.pk])
    search_outbox.enqueue(POSTS, topic.posts.values_list("pk", flat=True))
    return topic
