"""`GET/PATCH /api/v1/notification-settings/`: your email choices (notifications.preferences)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import me
from notifications import preferences

MODE = serializers.ChoiceField(choices=preferences.MODES)
SETTINGS = inline_serializer(
    name="NotificationSettings",
    fields={
        "email": MODE,
        "kinds": serializers.DictField(
            child=serializers.BooleanField(),
            help_text="Email per kind (false: no email of that kind; the app still lists it).",
        ),
        "networks": serializers.DictField(
            child=inline_serializer(name="NetworkEmail", fields={"email": MODE}),
            help_text="Per-network overrides by slug; PATCH a slug to null to drop one.",
        ),
    },
)


class NotificationSettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], responses=SETTINGS)
    def get(self, request: Request) -> Response:
        return Response(preferences.read(me(request)))

    @extend_schema(tags=["notifications"], request=SETTINGS, responses=SETTINGS)
    def patch(self, request: Request) -> Response:
        """Change some settings; an unknown kind, network or mode is a 400 naming it."""
        return Response(preferences.do_update_settings(me(request), request.data))
