"""Forum serializers: what the API returns and accepts, and what events carry."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.forums.models import Category, Post, PostRevision, Topic
from community.serializers import UserSummarySerializer


class TextField(serializers.CharField):
    """A string, and only a string: a number or a list is bad input, not text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CategorySerializer(serializers.ModelSerializer):
    network = serializers.CharField(source="network.slug", read_only=True)
    topic_count = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id",
            "network",
            "name",
            "slug",
            "description",
            "position",
            "moderators_only_post",
            "topic_count",
            "created_at",
        ]

    def get_topic_count(self, category: Category) -> int:
        return int(getattr(category, "topic_count", 0) or 0)


class CategoryCreateSerializer(serializers.Serializer):
    name = TextField(max_length=120)
    slug = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    position = serializers.IntegerField(
        required=False, default=0, min_value=-10000, max_value=10000
    )
    moderators_only_post = serializers.BooleanField(required=False, default=False)


class LastPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = UserSummarySerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class TopicSerializer(serializers.ModelSerializer):
    network = serializers.CharField(source="network.slug", read_only=True)
    author = UserSummarySerializer(allow_null=True)
    last_post = LastPostSerializer(allow_null=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "network",
            "category",
            "author",
            "title",
            "pinned",
            "locked",
            "created_at",
            "last_activity_at",
            "post_count",
            "last_post",
            "deleted",
        ]


class TopicCreateSerializer(serializers.Serializer):
    # Lengths and blankness are the action's to check, so the API, the admin and any
    # other caller refuse the same input with the same error.
    title = TextField(trim_whitespace=False, allow_blank=True)
    body = TextField(trim_whitespace=False, allow_blank=True)


class TopicUpdateSerializer(serializers.Serializer):
    title = TextField(trim_whitespace=False, allow_blank=True, required=False)
    pinned = serializers.BooleanField(required=False)
    locked = serializers.BooleanField(required=False)
    category = serializers.IntegerField(required=False, help_text="Move to this category.")


class PostReactionSummarySerializer(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    me = serializers.BooleanField(help_text="Whether you reacted with this emoji.")


class PostEventSerializer(serializers.ModelSerializer):
    """A post as everyone may see it: a deleted post keeps its place but not its body."""

    author = UserSummarySerializer(allow_null=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "topic",
            "author",
            "body",
            "body_html",
            "reply_to",
            "created_at",
            "edited_at",
            "edit_count",
            "edited_by_moderator",
            "deleted",
            "deleted_at",
        ]
        extra_kwargs = {
            "edited_by_moderator": {
                "help_text": "Someone other than the author (a moderator) edited this post."
            },
        }

    def _hidden(self, post: Post) -> bool:
        return post.deleted and not self.context.get("reveal_deleted", False)

    def get_body(self, post: Post) -> str:
        return "" if self._hidden(post) else post.body

    def get_body_html(self, post: Post) -> str:
        return "" if self._hidden(post) else post.body_html


class PostSerializer(PostEventSerializer):
    """A post for the caller: with reaction counts and whether the caller reacted."""

    reactions = serializers.SerializerMethodField()

    class Meta(PostEventSerializer.Meta):
        fields = [*PostEventSerializer.Meta.fields, "reactions"]

    @extend_schema_field(PostReactionSummarySerializer(many=True))
    def get_reactions(self, post: Post) -> list[dict[str, Any]]:
        # Already plain {emoji, count, me} dicts (queries.reaction_summaries): returned as
        # they are, since a nested serializer per post would cost more than the query.
        summaries: dict[int, list[dict[str, Any]]] = self.context.get("reactions", {})
        return summaries.get(post.pk, [])


class TopicDetailSerializer(TopicSerializer):
    """A topic for the caller: with whether they watch it (never in a topic's events,
    which every subscriber shares)."""

    watching = serializers.SerializerMethodField(
        help_text="Whether you are notified of every reply (PUT/DELETE …/watch/)."
    )

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "watching"]

    def get_watching(self, topic: Topic) -> bool:
        return bool(self.context.get("watching", False))


class TopicCreatedSerializer(TopicDetailSerializer):
    first_post = serializers.SerializerMethodField()

    class Meta(TopicDetailSerializer.Meta):
        fields = [*TopicDetailSerializer.Meta.fields, "first_post"]

    @extend_schema_field(PostSerializer)
    def get_first_post(self, topic: Topic) -> dict[str, Any]:
        return PostSerializer(self.context["first_post"], context=self.context).data


class PostCreateSerializer(serializers.Serializer):
    body = TextField(trim_whitespace=False, allow_blank=True)
    reply_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class PostUpdateSerializer(serializers.Serializer):
    body = TextField(trim_whitespace=False, allow_blank=True)


class PostReactionSerializer(serializers.Serializer):
    emoji = TextField(max_length=64, trim_whitespace=False)


class PostRevisionSerializer(serializers.ModelSerializer):
    edited_by = UserSummarySerializer(allow_null=True, help_text="Who made the edit.")

    class Meta:
        model = PostRevision
        fields = ["number", "body", "edited_by", "by_moderator", "created_at"]
        extra_kwargs = {
            "by_moderator": {"help_text": "The edit was not the author's own: a moderator's."},
        }
