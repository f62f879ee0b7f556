"""Serializers for networks, memberships, invitations, the audit log and accounts."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from accounts.actions import display_name
from community.models import AuditEntry, Invitation, Membership, Network, slug_validator
from directory.photos import avatar_url
from permissions.roles import GRANTABLE

ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField(
        help_text="Their photo at 96 pixels, or null (clients show their initial)."
    )

    def get_display_name(self, user: Any) -> str:
        return display_name(user)

    def get_avatar(self, user: Any) -> str | None:
        return avatar_url(user)


class MyMembershipSerializer(serializers.Serializer):
    role = serializers.CharField()
    status = serializers.CharField()
    muted_until = serializers.DateTimeField(allow_null=True)
    permissions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What you may do in the network (the network's detail only).",
    )


class NetworkSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)
    my_membership = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "country",
            "theme",
            "description",
            "visibility",
            "join_policy",
            "created_at",
            "member_count",
            "my_membership",
        ]

    def get_my_membership(self, network: Network) -> dict[str, Any] | None:
        role = getattr(network, "my_role", None)
        if role is None:
            return None
        mine = {
            "role": role,
            "status": network.my_status,  # type: ignore[attr-defined]
            "muted_until": network.my_muted_until,  # type: ignore[attr-defined]
        }
        if "my_permissions" in self.context:
            mine["permissions"] = sorted(self.context["my_permissions"])
        return mine


class NetworkWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = [
            "name",
            "slug",
            "kind",
            "country",
            "theme",
            "description",
            "visibility",
            "join_policy",
        ]
        extra_kwargs = {
            # Uniqueness is the action's 409, not a 400; the format rule stays.
            "slug": {"validators": [slug_validator]},
            "description": {"required": False},
        }

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if value and not ISO_COUNTRY.match(value):
            raise serializers.ValidationError("Use an ISO 3166 alpha-2 code such as DE or CA.")
        return value

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("The name cannot be blank.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        country = attrs.get("country", getattr(self.instance, "country", ""))
        theme = attrs.get("theme", getattr(self.instance, "theme", ""))
        if kind == Network.Kind.GEOGRAPHIC and not country:
            raise serializers.ValidationError(
                {"country": ["A geographic network needs a country."]}
            )
        if kind == Network.Kind.THEMATIC and not theme:
            raise serializers.ValidationError({"theme": ["A thematic network needs a theme."]})
        return attrs


class NetworkUpdateSerializer(NetworkWriteSerializer):
    class Meta(NetworkWriteSerializer.Meta):
        fields = [f for f in NetworkWriteSerializer.Meta.fields if f != "slug"] + ["archived"]


class JoinSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    invitation = serializers.CharField(required=False, max_length=64)


MUTE_AUDIENCE = (
    "Until when the member is muted (null: not muted). Only the member themself and the "
    "network's moderators see it: the key is absent from other members' rows."
)


class MembershipSerializer(serializers.ModelSerializer):
    """A membership as members see it: `muted_until` only on the asker's own row."""

    user = UserSummarySerializer()
    # Output only; not read_only, so the schema may say it is not always there.
    muted_until = serializers.DateTimeField(
        allow_null=True, required=False, help_text=MUTE_AUDIENCE
    )

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "status", "joined_at", "muted_until"]

    def sees_mute(self, membership: Membership) -> bool:
        """The asker's own row (`context["viewer_id"]`); without a viewer, no row."""
        viewer = self.context.get("viewer_id")
        return viewer is not None and membership.user_id == viewer

    def to_representation(self, instance: Membership) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not self.sees_mute(instance):
            data.pop("muted_until", None)
        return data


class ModeratedMembershipSerializer(MembershipSerializer):
    """What moderators see: the join request's message, the ban reason, who acted, every mute.

    The members list documents this shape for everyone but gives non-moderators only
    MembershipSerializer's fields, so the extras are optional in the schema.
    """

    acted_by = UserSummarySerializer(allow_null=True, required=False)

    class Meta(MembershipSerializer.Meta):
        fields = [
            *MembershipSerializer.Meta.fields,
            "join_message",
            "ban_reason",
            "acted_by",
            "acted_at",
        ]

    def sees_mute(self, membership: Membership) -> bool:
        return True  # moderators see every member's mute


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MuteSerializer(ReasonSerializer):
    minutes = serializers.IntegerField(min_value=1, max_value=60 * 24 * 365)


class SetRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    max_uses = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000
    )
    expires_in_hours = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=24 * 365
    )


class InvitationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    created_by = UserSummarySerializer(allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "token",
            "url",
            "email",
            "max_uses",
            "uses",
            "expires_at",
            "created_by",
            "created_at",
            "revoked_at",
        ]

    def get_url(self, invitation: Invitation) -> str:
        path = f"/networks/{invitation.network.slug}/join/?invitation={invitation.token}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(allow_null=True)
    target_user = UserSummarySerializer(allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "action",
            "target_user",
            "target_type",
            "target_id",
            "reason",
            "details",
            "at",
        ]


PERMISSION_HELP = "Grantable: " + ", ".join(sorted(p.value for p in GRANTABLE)) + "."


class MemberPermissionsSerializer(serializers.Serializer):
    """A member's permissions on a network: the effective set, and the owner's overrides."""

    role = serializers.CharField(source="membership.role")
    permissions = serializers.SerializerMethodField()
    granted = serializers.SerializerMethodField()
    revoked = serializers.SerializerMethodField()

    def get_permissions(self, value: Any) -> list[str]:
        return sorted(value.permissions)

    def get_granted(self, value: Any) -> list[str]:
        return sorted(value.granted)

    def get_revoked(self, value: Any) -> list[str]:
        return sorted(value.revoked)


class PermissionChangeSerializer(serializers.Serializer):
    grant = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=len(GRANTABLE),
        help_text=PERMISSION_HELP,
    )
    revoke = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=len(GRANTABLE),
        help_text=PERMISSION_HELP,
    )
