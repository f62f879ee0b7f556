"""The one websocket per client at /ws/.

This first version authenticates, answers ping and reports bad frames; room
subscriptions and messages arrive with the chat models.
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from config.events import user_group

CLOSE_UNAUTHENTICATED = 4401


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        user = getattr(self, "user", None)
        if user is not None:
            await self.channel_layer.group_discard(user_group(user.pk), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error("binary_frame", "Send JSON text frames.")
            return
        if len(text_data.encode()) > settings.SHABAKA["MAX_FRAME_BYTES"]:
            await self.send_error("frame_too_large", "Frames are limited to 16 KiB.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.send_error("malformed_json", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("invalid_frame", "A frame is a JSON object with a string type.")
            return
        if frame["type"] == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_error(
            "unknown_type", f"Unknown frame type {frame['type'][:64]!r}.", ref=frame["type"][:64]
        )

    async def send_error(self, code: str, message: str, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    async def community_membership(self, event: dict[str, Any]) -> None:
        """Membership changes of this user reach the client too (role, mute, approval)."""
        await self.send_json(
            {k: v for k, v in event.items() if k != "type"} | {"type": "membership"}
        )

    async def access_revoked(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "access.revoked", "network": event["network"]})
