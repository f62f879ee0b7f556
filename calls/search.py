"""Calls in search (`type=calls`): found by whoever may read their network. Drafts are
not in the index; calls no longer open leave default results and are found with
`?status=closed` (filled, cancelled) — `search.registry.DefaultFilter`.

Registered by `CallsConfig.ready()`; the call actions enqueue `CALLS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from calls.models import Call
from directory.iso_codes import COUNTRIES
from directory.vocabulary import Sector, search_words
from search import registry
from search.registry import DefaultFilter, DocumentType, Hit, IndexedDoc
from search.snippets import excerpt

CALLS = "calls"
LISTED = (Call.Status.OPEN, Call.Status.CLOSED, Call.Status.FILLED, Call.Status.CANCELLED)


def call_doc(call: Call) -> IndexedDoc:
    with translation.override("en"):
        words = [
            call.summary,
            call.body,
            " ".join(call.skills),
            " ".join(f"{s} {search_words(Sector, s)}" for s in call.sectors),
            " ".join(f"{c} {COUNTRIES.get(c, '')}" for c in call.countries),
            str(Call.Kind(call.kind).label) if call.kind in Call.Kind.values else "",
        ]
    return IndexedDoc(
        object_id=call.pk,
        network_ids=[call.network_id],
        name=call.title,
        owner_id=call.poster_id,
        created_at=call.published_at or call.created_at,
        texts=[("text", 0, w) for w in words if w],
        facets=[
            ("status", call.status, 0),
            ("kind", call.kind, 0),
            *(("sector", s, 0) for s in call.sectors),
        ],
    )


class CallDocuments(DocumentType):
    name = CALLS
    order = 60
    placeholder_sort = "created_at"
    facets = ("status", "kind", "sector")
    filters = facets
    default_filters = {"status": DefaultFilter(("open",), LISTED)}

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(status__in=LISTED)

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        docs: dict[int, IndexedDoc | None] = dict.fromkeys(ids)
        for call in self.visible(Call.objects.filter(pk__in=ids)):
            docs[call.pk] = call_doc(call)
        return docs

    def source(self) -> QuerySet[Any]:
        return Call.objects.all()

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        calls = self.visible(Call.objects.select_related("network")).in_bulk(
            [h.object_id for h in hits]
        )
        return [
            {
                "type": self.name,
                "id": call.pk,
                "network": call.network.slug,
                "title": call.title,
                "snippet": excerpt(call.summary or call.body, words),
                "url": f"/api/v1/calls/{call.pk}/",
            }
            for hit in hits
            if (call := calls.get(hit.object_id)) is not None
        ]


def register() -> None:
    registry.register(CallDocuments())
