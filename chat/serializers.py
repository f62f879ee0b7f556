"""Chat serializers. Messages are represented exactly as the websocket sends them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from chat import events, queries
from chat.models import Message, Room
from community.serializers import UserSummarySerializer


class ReactionSummarySerializer(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    me = serializers.BooleanField(help_text="Whether you reacted with this emoji.")


class MessageSerializer(serializers.Serializer):
    """The `message` of websocket frames, plus a reaction summary in REST history."""

    id = serializers.IntegerField()
    room = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="The room event that created the message.")
    author = UserSummarySerializer()
    body = serializers.CharField(help_text="As written (Markdown); empty once deleted.")
    body_html = serializers.CharField(help_text="Sanitized HTML; empty once deleted.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    client_id = serializers.CharField(allow_null=True)
    reply_to = serializers.IntegerField(allow_null=True)
    reactions = ReactionSummarySerializer(many=True, required=False)

    def to_representation(self, instance: Message) -> dict[str, Any]:
        data = events.message_payload(instance)
        if self.context.get("with_reactions"):
            user = self.context["request"].user
            data["reactions"] = queries.reaction_summary(instance, user.pk)
        return data


class RoomSerializer(serializers.ModelSerializer):
    network: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    unread = serializers.IntegerField(
        read_only=True, help_text="Messages by others after your read marker."
    )
    other_user = serializers.SerializerMethodField(
        help_text="Direct rooms: the other person in the conversation."
    )
    # Read-only here, and empty for direct rooms: the model field's slug pattern would
    # document a format that direct rooms do not have.
    slug = serializers.CharField(read_only=True, help_text="Empty for direct rooms.")

    class Meta:
        model = Room
        fields = [
            "id",
            "network",
            "kind",
            "name",
            "slug",
            "topic",
            "posting",
            "archived",
            "seq",
            "created_at",
            "unread",
            "other_user",
        ]

    def get_other_user(self, room: Room) -> dict[str, Any] | None:
        if not room.is_direct:
            return None
        user = self.context["request"].user
        other = room.user_high if room.user_low_id == user.pk else room.user_low
        return events.user_summary(other)


class RoomCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    topic = serializers.CharField(max_length=250, required=False, allow_blank=True)
    posting = serializers.ChoiceField(choices=Room.Posting.choices, required=False)


class DirectOpenSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False)
    client_id = serializers.CharField(
        max_length=64,
        required=False,
        help_text="Chosen by the client; sending the same one again returns the first message.",
    )
    reply_to = serializers.IntegerField(required=False, allow_null=True)


class MessageEditSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False)


class ReactionSerializer(serializers.Serializer):
    emoji = serializers.CharField(max_length=32)


class ReadSerializer(serializers.Serializer):
    message_id = serializers.IntegerField()


class ReadResultSerializer(serializers.Serializer):
    room = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    unread = serializers.IntegerField()


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    next = serializers.CharField(
        allow_null=True,
        help_text="Message id to pass as `before` (or as `after` when paging forward).",
    )


class EventPageSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The room's latest seq.")
    results = serializers.ListField(
        child=serializers.DictField(),
        help_text="Stored frames (message.new, message.edited, message.deleted, "
        "reaction.added, reaction.removed), oldest first, each with its seq.",
    )
    next = serializers.CharField(
        allow_null=True, help_text="The `after_seq` of the next page, or null at the end."
    )
