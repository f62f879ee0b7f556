"""Document types: what each kind of searchable thing looks like to every backend.

A document type turns source rows (profiles, topics, posts, messages) into
`IndexedDoc`s — plain data that the database index and Meilisearch both store — and
turns search hits back into API results. The engine knows no type: each app declares
its own in its `search.py` (`directory.search`, `community.forums.search`,
`chat.search`) and registers them in its `AppConfig.ready()`, so the registry is
complete once the apps are ready, and a new app's documents need no line here.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from django.db.models import QuerySet


@dataclass
class IndexedDoc:
    """One document, backend-neutral.

    `texts` are (group, level, raw text): a text at level L is searchable by viewers
    whose relation to the document is ≥ L (0 anyone who may see the document; the
    levels above are the ones its type's `tiers` declare). `facets` are (facet, value,
    level) on the same scale. `network_ids` decide who may see the document at all:
    readers of at least one of them.
    """

    object_id: int
    network_ids: list[int]
    name: str = ""
    owner_id: int | None = None
    room_id: int | None = None
    created_at: dt.datetime | None = None
    texts: list[tuple[str, int, str]] = field(default_factory=list)
    facets: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Hit:
    """A search result before presentation: which object, seen at which relation."""

    doc_type: str
    object_id: int
    relation: int
    score: float = 0.0


class Rule(StrEnum):
    """What makes a viewer closer to a document; the backends test these, nothing else."""

    STAFF = "staff"  # the viewer is platform staff (known before the query runs)
    OWNER = "owner"  # the document's `owner_id` is the viewer
    SHARES_NETWORK = "shares_network"  # one of its networks is one the viewer is active in


@dataclass(frozen=True)
class DefaultFilter:
    """A filter a search applies unless it asks for other values (`?name=` on
    GET /search/): calls no longer open leave default results, found with ?status=."""

    values: tuple[str, ...]
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Tier:
    """Viewers for whom `rule` holds see the document at `level`."""

    level: int
    rule: Rule


# The database index keeps one text and one facet column per level (`text_0..2`).
MAX_LEVEL = 2


class DocumentType(abc.ABC):
    """Base class of a document type; subclasses fill in the class attributes and methods."""

    name: ClassVar[str]
    # Where the type comes among the others: in the API's list of types and, between
    # results of equal relevance, in the combined search (lowest first).
    order: ClassVar[int]
    # Searchable text groups, most important first (ranking prefers earlier groups).
    groups: ClassVar[tuple[str, ...]] = ("text",)
    # Relations that see different things (0 up to at most MAX_LEVEL, each in turn);
    # types without per-field audience use (0,).
    levels: ClassVar[tuple[int, ...]] = (0,)
    # How a viewer's relation to a document is decided: the first tier whose rule holds
    # gives it, and a viewer no tier matches sees the document at level 0.
    tiers: ClassVar[tuple[Tier, ...]] = ()
    # Facets whose counts the API returns; `filters` may also be filtered on.
    facets: ClassVar[tuple[str, ...]] = ()
    filters: ClassVar[tuple[str, ...]] = ()
    default_filters: ClassVar[dict[str, DefaultFilter]] = {}
    # Placeholder searches (no words) sort by name for people, newest first for content.
    placeholder_sort: ClassVar[str] = "name"

    @abc.abstractmethod
    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        """Current documents for these ids; None for an id that should not be indexed."""

    @abc.abstractmethod
    def source(self) -> QuerySet[Any]:
        """Every row to index, for a rebuild (ids are read from it in batches)."""

    @abc.abstractmethod
    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        """API results `{type, id, network, title?, snippet, url}` for hits, in order,
        built from the rows `visible` keeps (a hit without one is left out)."""

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """Of these source rows, those a result may still be built from.

        The index lags behind the database (Meilisearch is updated by the outbox worker,
        after the change), so `present` reads its rows through this, at query time: a
        deleted row stops showing at once, and snippets come from the current text, not
        from what the index still holds. Types whose rows can be deleted or hidden
        without leaving the table override it.
        """
        return rows

    def access_keys(self, viewer: Any) -> frozenset[int]:
        """Keys besides network ids that let this viewer see documents (direct messages)."""
        return frozenset()

    def batches(self, size: int) -> Iterator[list[int]]:
        ids = self.source().order_by("pk").values_list("pk", flat=True)
        last = 0
        while True:
            batch = list(ids.filter(pk__gt=last)[:size])
            if not batch:
                return
            yield batch
            last = batch[-1]


_REGISTRY: dict[str, DocumentType] = {}


def register(doc_type: DocumentType) -> DocumentType:
    """Add a type (from its app's `ready()`); registering a name again replaces it."""
    levels = doc_type.levels
    if levels != tuple(range(len(levels))) or max(levels) > MAX_LEVEL:
        raise ValueError(f"{doc_type.name}: levels must be 0, 1, … up to {MAX_LEVEL}")
    if any(tier.level not in levels for tier in doc_type.tiers):
        raise ValueError(f"{doc_type.name}: every tier's level must be one of its levels")
    _REGISTRY[doc_type.name] = doc_type
    return doc_type


def get(name: str) -> DocumentType:
    return _REGISTRY[name]


def all_types() -> list[DocumentType]:
    """Every registered type, in their declared order."""
    return sorted(_REGISTRY.values(), key=lambda kind: (kind.order, kind.name))


def names() -> list[str]:
    return [kind.name for kind in all_types()]
