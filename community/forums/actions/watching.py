"""Watching topics, and the notifications a post sends: mentions, replies.

A member watches the topics they start or reply to (unless they turned watching off
for that topic: the row keeps the choice) and may toggle it on the topic page or with
`PUT`/`DELETE /api/v1/topics/{id}/watch/`. A new post notifies, in its own transaction:

- `mention`: the active members it @names (for an edit: only those it names for the
  first time; each person once per post);
- `reply`: the author of the post it answers (`reply_to`) and everyone watching the
  topic. Someone both named and answered gets the mention only.

`notifications.actions.do_notify` keeps to those who may read the network now (a
banned watcher, an outsider, a requester of a private network get nothing) and never
the actor. A category has no narrower access than its network (`forums.access`), so
reading the network is reading the topic; a deleted topic, which only moderators
read, notifies nobody. A muted member still reads, so still hears of replies and
mentions: muting stops them writing, not reading.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from community.forums import access
from community.forums.models import Post, Topic, TopicWatch
from notifications.actions import do_notify
from notifications.models import Notification

Kind = Notification.Kind


def watch_by_default(topic: Topic, user: User) -> None:
    """Start or reply: watch the topic, unless this user already chose either way."""
    TopicWatch.objects.bulk_create([TopicWatch(topic=topic, user=user)], ignore_conflicts=True)


@transaction.atomic
def do_set_watching(user: User, topic: Topic, watching: bool) -> TopicWatch:
    """Watch or stop watching a topic the user may read (the caller has `access_topic`'d it)."""
    access.check_can_watch(user, topic)
    row, created = TopicWatch.objects.select_for_update().get_or_create(
        topic=topic, user=user, defaults={"watching": watching}
    )
    if not created and row.watching != watching:
        row.watching = watching
        row.updated_at = timezone.now()
        row.save(update_fields=["watching", "updated_at"])
    return row


def _about(post: Post) -> dict[str, object]:
    # The title as it was: the text is rendered later, but a rename does not reach it.
    return {"topic": post.topic_id, "title": post.topic.title}


def notify_mentions(
    post: Post, actor: User, mentioned: set[int], *, edit: bool = False
) -> set[int]:
    """`mention` for the members the post names (after an edit: those not yet notified
    about this post); returns who was named, so a reply notifies them no second time."""
    if post.topic.deleted or not mentioned:
        return set()
    do_notify(
        mentioned,
        Kind.MENTION,
        network=post.topic.network,
        actor=actor,
        target=("post", post.pk),
        data=_about(post),
        once=edit,
    )
    return mentioned


def notify_reply(post: Post, actor: User, mentioned: set[int]) -> None:
    """`reply` to the author of the post answered and to the topic's watchers, but not to
    those the post mentions (one notification each: the mention). Constant queries for any
    number of watchers: their ids in one, then `do_notify` per wording."""
    topic = post.topic
    if topic.deleted:
        return
    answered = {post.reply_to.author_id} if post.reply_to and post.reply_to.author_id else set()
    answered -= mentioned
    watchers = set(
        TopicWatch.objects.filter(topic=topic, watching=True).values_list("user_id", flat=True)
    )
    watchers -= mentioned | answered
    for recipients, to in ((answered, "post"), (watchers, "topic")):
        if recipients:
            do_notify(
                recipients,
                Kind.REPLY,
                network=topic.network,
                actor=actor,
                target=("post", post.pk),
                data=_about(post) | {"to": to},
            )
