"""Shapes of the notification endpoints (CONTRACT.md, "Notifications")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notifications.models import Notification

MAX_IDS = 1000


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_null=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    network = serializers.CharField(allow_null=True, help_text="The network's slug.")
    actor = ActorSerializer(allow_null=True)
    target = TargetSerializer()
    text = serializers.CharField(help_text="In the recipient's language.")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=MAX_IDS,
    )
    all = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "ids" in attrs and attrs.get("all"):
            raise serializers.ValidationError({"all": ["Send ids or all, not both."]})
        if "ids" not in attrs and not attrs.get("all"):
            raise serializers.ValidationError({"ids": ["Send ids, or all: true."]})
        return attrs
