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
        if not query.network_ids:
            return SearchResult([], self._empty_facets(doc_type), 0, self.name)
        sql, params = self._matched(doc_type, query, viewer)
        phrase = query.normalized
        with connection.cursor() as cursor:
            facets = self._empty_facets(doc_type) if query.with_facets else {}
            if query.with_facets and doc_type.facets:
                cursor.execute(
                    f"WITH matched AS ({sql}) "  # noqa: S608 (fixed SQL, values are parameters)
                    "SELECT f.name, f.value, COUNT(*) FROM matched m "
                    "JOIN search_documentfacet f ON f.document_id = m.id AND f.level <= m.rel "
                    f"WHERE f.name IN ({_marks(doc_type.facets)}) GROUP BY f.name, f.value",
                    [*params, *doc_type.facets],
                )
                for name, value, count in cursor.fetchall():
                    facets[name][value] = count
                facets = {
                    name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
                    for name, values in facets.items()
                }
            cursor.execute(f"WITH matched AS ({sql}) SELECT COUNT(*) FROM matched", params)  # noqa: S608
            total = cursor.fetchone()[0]
            # Exact name first, then names starting with the words, then the rest.
            score = (
                "CASE WHEN name = %s THEN 3 WHEN name LIKE %s THEN 2 WHEN name LIKE %s THEN 1 "
                "ELSE 0 END"
                if phrase
                else "0"
            )
            # Normalized words hold no LIKE wildcards (% and _ are separators).
            score_params = [phrase, phrase + "%", "%" + phrase + "%"] if phrase else []
            order = (
                "name, id" if doc_type.placeholder_sort == "name" else "created_at DESC, id DESC"
            )
            cursor.execute(
                f"WITH matched AS ({sql}) SELECT object_id, rel, {score} AS score "  # noqa: S608
                f"FROM matched ORDER BY score DESC, {order} LIMIT %s OFFSET %s",
                [*params, *score_params, query.limit, query.offset],
            )
            hits = [Hit(doc_type.name, oid, rel, float(sc)) for oid, rel, sc in cursor.fetchall()]
        return SearchResult(hits, facets, total, self.name)

    def _matched(
        self, doc_type: DocumentType, query: SearchQuery, viewer: Viewer
    ) -> tuple[str, list[Any]]:
        """SQL (and parameters) of the documents found: id, object_id, name, created_at, rel.

        `rel` is the viewer's relation to each document; words must match that
        relation's text column and facet filters only see rows of levels it reaches.
        """
        top = max(doc_type.levels)
        params: list[Any] = []
        if viewer.is_staff or top == 0:
            rel = str(top)
        else:
            rel = "CASE WHEN d.owner_id = %s THEN 2 "
            params.append(viewer.user_id or 0)
            if viewer.active:
                rel += (
                    "WHEN d.id IN (SELECT document_id FROM search_documentnetwork "  # noqa: S608
                    f"WHERE network_id IN ({_marks(viewer.active)})) THEN 1 "
                )
                params += sorted(viewer.active)
            rel += "ELSE 0 END"
        params += [doc_type.name, *sorted(query.network_ids)]
        visible = (
            f"SELECT d.id, d.object_id, d.name, d.created_at, {rel} AS rel "  # noqa: S608
            "FROM search_document d WHERE d.doc_type = %s AND d.id IN "
            "(SELECT document_id FROM search_documentnetwork "
            f"WHERE network_id IN ({_marks(query.network_ids)}))"
        )
        conditions: list[str] = []
        words = query.words
        if words:
            alternatives = [
                self._alternatives(word, last=i == len(words) - 1) for i, word in enumerate(words)
            ]
            branches = []
            for level in doc_type.levels:
                match_sql, match_params = self._match(level, alternatives)
                branches.append(f"(v.rel = {int(level)} AND v.id IN ({match_sql}))")
                params += match_params
            conditions.append("(" + " OR ".join(branches) + ")")
        for name, values in query.filters.items():
            conditions.append(
                "EXISTS (SELECT 1 FROM search_documentfacet f WHERE f.document_id = v.id "  # noqa: S608
                f"AND f.name = %s AND f.value IN ({_marks(values)}) AND f.level <= v.rel)"
            )
            params += [name, *values]
        where = " AND ".join(conditions) or "1 = 1"
        return f"SELECT * FROM ({visible}) v WHERE {where}", params  # noqa: S608

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

    def _match(
        self, level: int, alternatives: Sequence[list[tuple[str, bool]]]
    ) -> tuple[str, list[Any]]:
        """SQL of the ids whose level-`level` text has every word (or an alternative of it)."""
        # The column name is one of three fixed names; user words only travel as parameters.
        column = {0: "text_0", 1: "text_1", 2: "text_2"}[level]
        if connection.vendor == "sqlite":
            groups = [
                "(" + " OR ".join(_fts5_term(t, prefix) for t, prefix in alts) + ")"
                for alts in alternatives
            ]
            expression = f"{column} : ({' AND '.join(groups)})"
            return (
                "SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH %s",
                [expression],
            )
        tsquery = " & ".join(
            "(" + " | ".join(_ts_term(t, prefix) for t, prefix in alts) + ")"
            for alts in alternatives
        )
        return (
            "SELECT id FROM search_document "  # noqa: S608
            f"WHERE array_to_tsvector(string_to_array({column}, ' ')) @@ %s::tsquery",
            [tsquery],
        )

    def _empty_facets(self, doc_type: DocumentType) -> dict[str, dict[str, int]]:
        return {name: {} for name in doc_type.facets}


def _marks(values: Any) -> str:
    return ", ".join(["%s"] * len(values))


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
