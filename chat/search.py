"""Chat messages. A channel room's messages are readable by readers of its network; a
direct room's only by its two people, whose access keys are their negated user ids.

Registered by `ChatConfig.ready()`; the message actions enqueue `MESSAGES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from chat.models import Message
from search import registry
from search.query import Viewer
from search.registry import DocumentType, Hit, IndexedDoc
from search.snippets import excerpt

MESSAGES = "messages"


class MessageDocuments(DocumentType):
    name = MESSAGES
    order = 40
    placeholder_sort = "created_at"

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(deleted=False)

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        docs: dict[int, IndexedDoc | None] = dict.fromkeys(ids)
        messages = self.visible(Message.objects.filter(pk__in=ids))
        for message in messages.select_related("room"):
            room = message.room
            if room.is_direct:
                keys = [-int(room.user_low_id or 0), -int(room.user_high_id or 0)]
            else:
                keys = [int(room.network_id or 0)]
            docs[message.pk] = IndexedDoc(
                object_id=message.pk,
                network_ids=keys,
                owner_id=message.author_id,
                room_id=room.pk,
                created_at=message.created_at,
                texts=[("text", 0, message.body)],
            )
        return docs

    def source(self) -> QuerySet[Any]:
        return Message.objects.all()

    def access_keys(self, viewer: Viewer) -> frozenset[int]:
        return frozenset({-viewer.user_id}) if viewer.user_id else frozenset()

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        rows = self.visible(Message.objects.select_related("room__network"))
        found = rows.in_bulk([h.object_id for h in hits])
        results = []
        for hit in hits:
            message = found.get(hit.object_id)
            if message is None:
                continue
            room = message.room
            results.append(
                {
                    "type": self.name,
                    "id": message.pk,
                    "network": room.network.slug if room.network is not None else None,
                    "title": room.name or "",
                    "snippet": excerpt(message.body, words),
                    "url": f"/api/v1/rooms/{room.pk}/messages/?after={message.pk - 1}",
                }
            )
        return results


def register() -> None:
    """Register the chat's document type (from `ChatConfig.ready()`)."""
    registry.register(MessageDocuments())
