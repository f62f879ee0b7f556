"""Forums: each network's categories, topics and posts, with revisions, reactions and mentions.

Rows are written by `community.forums.actions` only. Topic counters (`post_count`,
`last_post`, `last_activity_at`) are denormalized so topic lists are one indexed query;
the actions keep them exact by locking the topic row for every change of its posts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Network


class Category(models.Model):
    """A section of a network's forum (announcements, calls for experts, regional projects…)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, allow_unicode=True)
    description = models.TextField(blank=True, max_length=2000)
    position = models.IntegerField(default=0)
    moderators_only_post = models.BooleanField(
        default=False, help_text=_("Only moderators may open topics here (announcements).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="forums_category_unique_slug"),
        ]
        indexes = [models.Index(fields=["network", "position", "id"])]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A discussion: its first post is the opening message, the rest are replies."""

    # The network is denormalized from the category (topics move only within a network)
    # so permission filters and search documents need no join.
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="topics")
    # RESTRICT, not PROTECT: a category with topics cannot be deleted on its own (move
    # them first), but deleting the whole network takes categories and topics together.
    category = models.ForeignKey(Category, on_delete=models.RESTRICT, related_name="topics")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0, help_text=_("Posts not deleted."))
    last_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted = models.BooleanField(default=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The topic list: pinned first, then latest activity, keyset on the id.
            models.Index(
                fields=["category", "-pinned", "-last_activity_at", "-id"],
                condition=Q(deleted=False),
                name="forums_topic_list",
            ),
            models.Index(fields=["network", "-last_activity_at"], name="forums_topic_network"),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """One message of a topic: Markdown source and its sanitized HTML."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    # Someone other than the author (a moderator, or staff) changed these words once:
    # the post says so for good, also after the author edits it again.
    edited_by_moderator = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["topic", "id"], name="forums_post_topic")]

    def __str__(self) -> str:
        return f"post {self.pk} in topic {self.topic_id}"


class PostRevision(models.Model):
    """The body a post had before an edit: the history its author and moderators can read."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text=_("n: the body before the n-th edit."))
    body = models.TextField()
    # Who made the edit that replaced this body.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # That edit was not the author's own: recorded when it happens, so it stays true
    # when the editor's account or role changes later.
    by_moderator = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="forums_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of post {self.post_id}"


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "emoji"], name="forums_reaction_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.post_id}"


class Mention(models.Model):
    """A member of the network @mentioned in a post (feeds notifications)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="forums_mention_unique"),
        ]
        indexes = [models.Index(fields=["user", "-id"], name="forums_mention_user")]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.post_id}"


class TopicWatch(models.Model):
    """Someone's choice about a topic's replies: watching (notified of every reply) or not.

    Starting or replying to a topic makes a watching row unless one exists, so a member
    who turned watching off stays unwatched when they reply again (the row remembers the
    choice). Written by `community.forums.actions.watching` only.
    """

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    watching = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index every reply reads the topic's watchers through.
            models.UniqueConstraint(fields=["topic", "user"], name="forums_topicwatch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'watches' if self.watching else 'ignores'} topic {self.topic_id}"
