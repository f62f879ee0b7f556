"""The database backend: SQLite FTS5 or PostgreSQL full text + pg_trgm, same results.

Visibility is part of the SQL. Each document is seen by the asker at one relation —
2 (its owner, or staff), 1 (a co-member of its owner) or 0 — computed in the query;
words must match the text column of that relation, facet filters and facet counts
only consider facet rows whose level the relation reaches. A hidden value therefore
never matches, filters or counts: there is nothing to blank afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from search import registry
from search.backends.base import (
    SearchResult,
    level_words,
    typo_budget,
    unique_words,
    within_edits,
)
from search.models import Document, DocumentFacet, DocumentNetwork, SearchTerm
from search.query import SearchQuery, Viewer
from search.registry import DocumentType, Hit, IndexedDoc

MAX_EXPANSIONS = 8


class DatabaseBackend:
    name = "database"

    # --- writing ------------------------------------------------------------------------

    def write(self, doc_type: DocumentType, docs: dict[int, IndexedDoc | None]) -> None:
        """Replace these ids' documents (None: remove them); inside the change's transaction."""
        Document.objects.filter(doc_type=doc_type.name, object_id__in=list(docs)).delete()
        present = [doc for doc in docs.values() if doc is not None]
        if not present:
            return
        rows = []
        for doc in present:
            words = level_words(doc_type, doc)
            texts = {f"text_{level}": " ".join(w) for level, w in words.items()}
            rows.append(
                Document(
                    doc_type=doc_type.name,
                    object_id=doc.object_id,
                    owner_id=doc.owner_id,
                    room_id=doc.room_id,
                    name=" ".join(unique_words([doc.name]))[:255],
                    created_at=doc.created_at or timezone.now(),
                    **texts,
                )
            )
        created = Document.objects.bulk_create(rows)
        DocumentNetwork.objects.bulk_create(
            DocumentNetwork(document_id=row.pk, network_id=network_id)
            for row, doc in zip(created, present, strict=True)
            for network_id in set(doc.network_ids)
        )
        DocumentFacet.objects.bulk_create(
            DocumentFacet(document_id=row.pk, name=name, value=value[:100], level=level)
            for row, doc in zip(created, present, strict=True)
            for name, value, level in _lowest_levels(doc.facets)
        )
        if connection.vendor == "postgresql":
            terms = {w for row in created for w in row.text_2.split() or row.text_0.split()}
            SearchTerm.objects.bulk_create(
                (SearchTerm(term=t) for t in sorted(terms)), ignore_conflicts=True
            )

    def clear(self, doc_type: DocumentType) -> None:
        Document.objects.filter(doc_type=doc_type.name).delete()

    # --- searching ----------------------------------------------------------------------

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        doc_type = registry.get(query.doc_type)
        docs = self._visible(doc_type, query, viewer)
        words = query.words
        if words:
            alternatives = [
                self._alternatives(word, last=i == len(words) - 1) for i, word in enumerate(words)
            ]
            matches = Q()
            for level in doc_type.levels:
                matches |= Q(rel=level, id__in=self._match(level, alternatives))
            docs = docs.filter(matches)
        for name, values in query.filters.items():
            docs = docs.filter(
                Exists(
                    DocumentFacet.objects.filter(
                        document=OuterRef("pk"),
                        name=name,
                        value__in=values,
                        level__lte=OuterRef("rel"),
                    )
                )
            )
        facets = self._facets(doc_type, docs) if query.with_facets else {}
        total = docs.count()
        ordered = self._order(doc_type, docs, query)
        rows = ordered[query.offset : query.offset + query.limit].values_list(
            "object_id", "rel", "score"
        )
        hits = [Hit(doc_type.name, object_id, rel, score) for object_id, rel, score in rows]
        return SearchResult(hits, facets, total, self.name)

    def _visible(self, doc_type: DocumentType, query: SearchQuery, viewer: Viewer) -> QuerySet[Any]:
        """Documents the viewer may see at all, each annotated with the viewer's relation."""
        docs = Document.objects.filter(
            doc_type=doc_type.name,
            id__in=DocumentNetwork.objects.filter(network_id__in=query.network_ids).values(
                "document_id"
            ),
        )
        top = max(doc_type.levels)
        if viewer.is_staff or top == 0:
            rel: Any = Value(top, output_field=IntegerField())
        else:
            whens = [When(owner_id=viewer.user_id, then=Value(2))]
            if viewer.active:
                whens.append(
                    When(
                        Exists(
                            DocumentNetwork.objects.filter(
                                document=OuterRef("pk"), network_id__in=viewer.active
                            )
                        ),
                        then=Value(1),
                    )
                )
            rel = Case(*whens, default=Value(0), output_field=IntegerField())
        return docs.annotate(rel=rel)

    def _alternatives(self, word: str, *, last: bool) -> list[tuple[str, bool]]:
        """(term, is_prefix) that may stand for a query word: itself, and close spellings."""
        found: list[tuple[str, bool]] = [(word, last)]
        budget = typo_budget(word)
        if budget:
            for term in self._candidates(word, budget):
                if term != word and within_edits(word, term, budget):
                    found.append((term, False))
                    if len(found) > MAX_EXPANSIONS:
                        break
        return found

    def _candidates(self, word: str, budget: int) -> list[str]:
        lo, hi = len(word) - budget, len(word) + budget
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # Words sharing the first letter: a typo there is rare (Meilisearch counts two).
                cursor.execute(
                    "SELECT term FROM search_document_vocab WHERE term >= %s AND term < %s "
                    "AND length(term) BETWEEN %s AND %s ORDER BY doc DESC LIMIT 500",
                    [word[0], word[0] + "\U0010ffff", lo, hi],
                )
            else:
                cursor.execute(
                    "SELECT term FROM search_searchterm WHERE term %% %s "
                    "AND length(term) BETWEEN %s AND %s LIMIT 500",
                    [word, lo, hi],
                )
            return [row[0] for row in cursor.fetchall()]

    def _match(self, level: int, alternatives: Sequence[list[tuple[str, bool]]]) -> RawSQL:
        """Ids of documents whose level-`level` text has every word (or an alternative)."""
        # The column name is one of three fixed names; user words only travel as parameters.
        column = {0: "text_0", 1: "text_1", 2: "text_2"}[level]
        if connection.vendor == "sqlite":
            groups = [
                "(" + " OR ".join(_fts5_term(t, prefix) for t, prefix in alts) + ")"
                for alts in alternatives
            ]
            expression = f"{column} : ({' AND '.join(groups)})"
            return RawSQL(
                "SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH %s",
                [expression],
            )
        tsquery = " & ".join(
            "(" + " | ".join(_ts_term(t, prefix) for t, prefix in alts) + ")"
            for alts in alternatives
        )
        return RawSQL(  # noqa: S611
            f"SELECT id FROM search_document "  # noqa: S608
            f"WHERE array_to_tsvector(string_to_array({column}, ' ')) @@ %s::tsquery",
            [tsquery],
        )

    def _facets(self, doc_type: DocumentType, docs: QuerySet[Any]) -> dict[str, dict[str, int]]:
        if not doc_type.facets:
            return {}
        counted = (
            DocumentFacet.objects.filter(name__in=doc_type.facets)
            .filter(Exists(docs.filter(pk=OuterRef("document_id"), rel__gte=OuterRef("level"))))
            .values_list("name", "value")
            .annotate(n=Count("id"))
            .order_by()
        )
        facets: dict[str, dict[str, int]] = {name: {} for name in doc_type.facets}
        for name, value, n in counted:
            facets[name][value] = n
        return {
            name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
            for name, values in facets.items()
        }

    def _order(
        self, doc_type: DocumentType, docs: QuerySet[Any], query: SearchQuery
    ) -> QuerySet[Any]:
        phrase = query.normalized
        if phrase:
            # Exact name first, then names starting with the words, then the rest.
            score: Any = Case(
                When(name=phrase, then=Value(3)),
                When(name__startswith=phrase, then=Value(2)),
                When(name__contains=phrase, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        else:
            score = Value(0, output_field=IntegerField())
        docs = docs.annotate(score=score)
        if doc_type.placeholder_sort == "name":
            return docs.order_by("-score", "name", "id")
        return docs.order_by("-score", "-created_at", "-id")


def _lowest_levels(facets: Sequence[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """One row per (facet, value), at the lowest level any field gives it."""
    lowest: dict[tuple[str, str], int] = {}
    for name, value, level in facets:
        key = (name, value)
        lowest[key] = min(level, lowest.get(key, level))
    return [(name, value, level) for (name, value), level in lowest.items()]


def _fts5_term(term: str, prefix: bool) -> str:
    quoted = '"' + term.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


def _ts_term(term: str, prefix: bool) -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted
