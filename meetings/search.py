"""Meetings in search (`type=meetings`): found by whoever may read their network; a
cancelled meeting leaves the index, and the video link is never in it.

Registered by `MeetingsConfig.ready()`; the meeting actions enqueue `MEETINGS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from meetings.models import Meeting
from search import registry
from search.registry import DocumentType, Hit, IndexedDoc
from search.snippets import excerpt

MEETINGS = "meetings"


class MeetingDocuments(DocumentType):
    name = MEETINGS
    order = 50
    placeholder_sort = "created_at"

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(status="scheduled")

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        docs: dict[int, IndexedDoc | None] = dict.fromkeys(ids)
        for meeting in self.visible(Meeting.objects.filter(pk__in=ids)):
            docs[meeting.pk] = IndexedDoc(
                object_id=meeting.pk,
                network_ids=[meeting.network_id],
                name=meeting.title,
                owner_id=meeting.organizer_id,
                created_at=meeting.created_at,
                texts=[
                    ("text", 0, meeting.description),
                    ("text", 0, " ".join(p for p in (meeting.venue, meeting.city) if p)),
                ],
            )
        return docs

    def source(self) -> QuerySet[Any]:
        return Meeting.objects.all()

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        rows = self.visible(Meeting.objects.select_related("network"))
        meetings = rows.in_bulk([h.object_id for h in hits])
        return [
            {
                "type": self.name,
                "id": meeting.pk,
                "network": meeting.network.slug,
                "title": meeting.title,
                "snippet": excerpt(meeting.description, words) or meeting.city,
                "url": f"/api/v1/meetings/{meeting.pk}/",
            }
            for hit in hits
            if (meeting := meetings.get(hit.object_id)) is not None
        ]


def register() -> None:
    registry.register(MeetingDocuments())
