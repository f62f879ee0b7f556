from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import AuthToken


class DeviceTokenSerializer(serializers.ModelSerializer[AuthToken]):
    """A token as its owner sees it: never the key (only its digest is kept)."""

    current = serializers.SerializerMethodField()

    class Meta:
        model = AuthToken
        fields = ["id", "name", "created", "last_used", "expiry", "current"]

    def get_current(self, token: AuthToken) -> bool:
        used: Any = self.context.get("current")
        return used is not None and used == token.pk
