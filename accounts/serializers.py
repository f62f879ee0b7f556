from __future__ import annotations

from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
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


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    display_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )


class RegisteredSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The device, as the account page shows it.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    id = serializers.IntegerField(help_text="The token in GET /api/v1/auth/tokens/.")
    expiry = serializers.DateTimeField(help_text="Moves on with use: 30 days after the last.")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    email_verified = serializers.BooleanField(help_text="Whether a link mailed there was followed.")
    ui_language = serializers.CharField(
        allow_blank=True, help_text="ar, fr, en, or '' (none chosen)."
    )
    timezone = serializers.CharField(
        allow_blank=True, help_text="An IANA time zone (Europe/Berlin), or '' (none chosen)."
    )
    is_staff = serializers.BooleanField()


class DeleteAccountSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, help_text="Your current password.")
    content = serializers.CharField(
        help_text='"keep": your posts and messages stay, shown as by "Deleted member"; '
        '"erase": their words are erased too.'
    )


class PreferencesSerializer(serializers.Serializer):
    ui_language = serializers.CharField(required=False, max_length=8)
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class LinkSerializer(serializers.Serializer):
    """The two last parts of a mailed link (`…/<uid>/<token>/`)."""

    uid = serializers.CharField(max_length=64, trim_whitespace=False)
    token = serializers.CharField(max_length=64, trim_whitespace=False)


class PasswordResetConfirmSerializer(LinkSerializer):
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
