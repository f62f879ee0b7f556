"""Real-time events: scheduled after commit, delivered through the channel layer.

The channel layer is only a doorbell (channels-redis delivers at most once); the
database is the source of truth, so nothing is broadcast before it commits.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def network_group(network_id: int) -> str:
    return f"network.{network_id}"


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def topic_group(topic_id: int) -> str:
    return f"topic.{topic_id}"


def _plain(event: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so an unserializable payload fails here, not in Redis,
    # and so the in-memory layer carries exactly what Redis would.
    return json.loads(json.dumps(event, cls=DjangoJSONEncoder))


def send_event_now(group: str, event: dict[str, Any]) -> None:
    """Send to a group immediately (outside a transaction, or from on_commit)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, _plain(event))
    except Exception:
        # The doorbell failing must not fail the write that already committed:
        # clients catch up from the database on their next subscribe.
        if getattr(settings, "TESTING", False):
            raise
        logger.exception("channel layer send to %s failed", group)


def send_events_now(events: list[tuple[str, dict[str, Any]]]) -> None:
    """`send_event_now` for many (group, event) pairs: one hop into the event loop for all
    of them (a fan-out's 500 frames), in one round trip where the layer can batch them
    (its `group_send_many`, the pub/sub layer's pipeline), else each sent in turn, one
    that fails logged and the others still sent."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    payloads = [(group, _plain(event)) for group, event in events]
    send_many = getattr(layer, "group_send_many", None)

    async def send_all() -> None:
        if send_many is not None:
            try:
                await send_many(payloads)
                return
            except Exception:
                if getattr(settings, "TESTING", False):
                    raise
                logger.exception("channel layer batch of %s sends failed", len(payloads))
                return
        for group, payload in payloads:
            try:
                await layer.group_send(group, payload)
            except Exception:
                if getattr(settings, "TESTING", False):
                    raise
                logger.exception("channel layer send to %s failed", group)

    async_to_sync(send_all)()


def send_event_on_commit(group: str, event: dict[str, Any]) -> None:
    """Broadcast `event` (its "type" is the dotted handler name) once the transaction commits."""
    if "type" not in event:
        raise ValueError("an event needs a type")
    payload = _plain(event)
    transaction.on_commit(lambda: send_event_now(group, payload))
