"""The database backend: SQLite FTS5 or PostgreSQL full text + pg_trgm, same results.

Visibility is part of the SQL. Each document is seen by the asker at one relation
level, decided by the tiers its type declares (the directory's members: 2 its owner
or staff, 1 a co-member of its owner — the document shares a network with the
asker's active ones — else 0) and computed per row from the document's own
`owner_id` and `networks`, never from a per-row subquery. One scan finds the
candidates with what the closest relation may match (the top level's columns hold
everything, so their indexes serve every search), then each row is held to its
relation's copy: words must match that relation's text, facet filters test that
relation's tokens, facet counts unnest them. A hidden value therefore never matches,
filters or counts: there is nothing to blank afterwards.

One statement answers a search: the matches are materialized once, and the total,
the facet counts and the page are read from them (typo candidates for all the words
come from one lookup before it).
"""

from __future__ import annotations

import json
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
    viewer_tiers,
    within_edits,
)
from search.backends.sql import Alternatives, PostgresSQL, SQLiteSQL, dialect
from search.models import Document, SearchTerm
from search.query import SearchQuery, Viewer
from search.registry import DocumentType, Hit, IndexedDoc, Rule

MAX_EXPANSIONS = 8


def facet_tokens(facets: Sequence[tuple[str, str, int]], level: int) -> list[str]:
    """`name:value` of every facet value the given relation may see, each once."""
    return sorted({_token(name, value) for name, value, lvl in facets if lvl <= level})


def _token(name: str, value: str) -> str:
    return f"{name}:{value[:100]}"


class DatabaseBackend:
    name = "database"

    # --- writing ------------------------------------------------------------------------

    def write(self, doc_type: DocumentType, docs: dict[int, IndexedDoc | None]) -> None:
        """Replace these ids' documents (None: remove them); inside the change's transaction."""
        Document.objects.filter(doc_type=doc_type.name, object_id__in=list(docs)).delete()
        present = [doc for doc in docs.values() if doc is not None]
        if not present:
            return
        sql = dialect(connection.vendor)
        rows = [self._row(doc_type, doc, sql) for doc in present]
        Document.objects.bulk_create(rows)
        if connection.vendor == "postgresql":
            # Every word the documents hold (each level's text holds the words it adds).
            terms = {
                w
                for row in rows
                for lvl in doc_type.levels
                for w in row.__dict__[f"text_{lvl}"].split()
            }
            SearchTerm.objects.bulk_create(
                (SearchTerm(term=t) for t in sorted(terms)), ignore_conflicts=True
            )

    def _row(
        self, doc_type: DocumentType, doc: IndexedDoc, sql: PostgresSQL | SQLiteSQL
    ) -> Document:
        words = level_words(doc_type, doc)
        added = _added(words)
        facets = {level: facet_tokens(doc.facets, level) for level in doc_type.levels}
        # The lowest relation from which nothing more shows: its rows need no level check.
        whole_at, below = 0, list[str]()
        for level in sorted(doc_type.levels):
            if added[level] or facets[level] != below:
                whole_at = level
            below = facets[level]
        return Document(
            doc_type=doc_type.name,
            object_id=doc.object_id,
            owner_id=doc.owner_id,
            room_id=doc.room_id,
            name=" ".join(unique_words([doc.name]))[:255],
            created_at=doc.created_at or timezone.now(),
            networks=sorted(set(doc.network_ids)),
            words=sql.vector(words),
            whole_at=whole_at,
            **{f"text_{level}": " ".join(w) for level, w in added.items()},
            **{f"facets_{level}": tokens for level, tokens in facets.items()},
        )

    def clear(self, doc_type: DocumentType) -> None:
        Document.objects.filter(doc_type=doc_type.name).delete()

    # --- searching ----------------------------------------------------------------------

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        doc_type = registry.get(query.doc_type)
        facets: dict[str, dict[str, int]] = (
            {name: {} for name in doc_type.facets} if query.with_facets else {}
        )
        if not query.network_ids:
            return SearchResult([], facets, 0, self.name)
        sql, params = self._statement(doc_type, query, viewer, self._alternatives(query.words))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            total, counts, page = cursor.fetchone()
        for token, count in _json(counts) or []:
            name, _, value = token.partition(":")
            if name in facets:
                facets[name][value] = count
        facets = {
            name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
            for name, values in facets.items()
        }
        rows = sorted(_json(page) or [], key=lambda row: row[3])
        hits = [Hit(doc_type.name, int(oid), int(rel), float(sc)) for oid, rel, sc, _n in rows]
        return SearchResult(hits, facets, int(total), self.name)

    def _statement(
        self,
        doc_type: DocumentType,
        query: SearchQuery,
        viewer: Viewer,
        alternatives: Alternatives,
    ) -> tuple[str, list[Any]]:
        """The one statement of a search: `(total, facet counts, page)` as one row."""
        sql = dialect(connection.vendor)
        matched, params = self._matched(doc_type, query, viewer, alternatives)
        counts = (
            f"(SELECT {sql.json_rows('c.f, c.n')} FROM ({sql.count_tokens()}) c)"  # noqa: S608
            if query.with_facets and doc_type.facets
            else "NULL"
        )
        if not query.ordered:
            order = "object_id"  # any order will do: the cheapest
        elif doc_type.placeholder_sort == "name":
            order = "score DESC, name, object_id"
        else:
            order = "score DESC, created_at DESC, object_id DESC"
        # The page's own order travels as a row number: JSON aggregation keeps no order.
        page = (
            f"(SELECT {sql.json_rows('p.object_id, p.rel, p.score, p.n')} FROM "  # noqa: S608
            f"(SELECT object_id, rel, score, ROW_NUMBER() OVER (ORDER BY {order}) AS n FROM "
            f"(SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) l) p)"
        )
        statement = (
            f"WITH m AS MATERIALIZED ({matched}) "  # noqa: S608 (fixed SQL; values are parameters)
            f"SELECT (SELECT COUNT(*) FROM m), {counts}, {page}"
        )
        return statement, [*params, query.limit, query.offset]

    def _matched(
        self,
        doc_type: DocumentType,
        query: SearchQuery,
        viewer: Viewer,
        alternatives: Alternatives,
    ) -> tuple[str, list[Any]]:
        """SQL (and parameters) of the documents found: object_id, name, created_at, rel,
        facets (the tokens the relation may see) and score (how well the name matches)."""
        sql = dialect(connection.vendor)
        top = max(doc_type.levels)
        below = [level for level in sorted(doc_type.levels) if level < top]

        # The relation, from the document's networks and owner (no per-row subquery): the
        # first of the type's tiers that holds, else the level the rest is seen at.
        tiers, rest = viewer_tiers(doc_type, viewer)
        uniform = not tiers and rest == top
        rel, rel_params = str(rest), []
        if tiers:
            rel = "CASE"
            for tier in tiers:
                holds, holds_params = _holds(tier.rule, viewer, sql)
                rel += f" WHEN {holds} THEN {tier.level}"
                rel_params += holds_params
            rel += f" ELSE {rest} END"

        # Candidates: visible, and matching with everything (the top level's columns).
        visible, where_params = sql.any_of("d.networks", sorted(query.network_ids), "bigint")
        where = ["d.doc_type = %s", visible]
        where_params = [doc_type.name, *where_params]
        if query.words:
            condition, condition_params = sql.words("d", top, alternatives, candidate=True)
            where.append(condition)
            where_params += condition_params
        tokens = {
            name: [_token(name, value) for value in values]
            for name, values in query.filters.items()
        }
        for values in tokens.values():
            condition, condition_params = sql.any_of(f"d.facets_{top}", values, "text")
            where.append(condition)
            where_params += condition_params

        # Each row held to its relation: below the top, only that level's words and tokens.
        checks, check_params = "TRUE", []
        if not uniform:
            branches = []
            for level in below:
                conditions = []
                if query.words:
                    condition, condition_params = sql.words("v", level, alternatives)
                    conditions.append(condition)
                    check_params += condition_params
                for values in tokens.values():
                    condition, condition_params = sql.any_of(f"v.facets_{level}", values, "text")
                    conditions.append(condition)
                    check_params += condition_params
                if conditions:
                    branches.append(f"WHEN {level} THEN ({' AND '.join(conditions)})")
            if branches:
                checks = f"(v.rel >= v.whole_at OR CASE v.rel {' '.join(branches)} ELSE TRUE END)"
        facets = (
            f"v.facets_{top}"
            if uniform
            else "CASE v.rel "
            + " ".join(f"WHEN {level} THEN v.facets_{level}" for level in below)
            + f" ELSE v.facets_{top} END"
        )

        # Exact name first, then names starting with the words, then the rest.
        phrase = query.normalized
        score, score_params = "0", []
        if phrase:
            score = (
                "CASE WHEN v.name = %s THEN 3 WHEN v.name LIKE %s THEN 2 "
                "WHEN v.name LIKE %s THEN 1 ELSE 0 END"
            )
            # Normalized words hold no LIKE wildcards (% and _ are separators).
            score_params = [phrase, phrase + "%", "%" + phrase + "%"]

        columns = ", ".join(f"d.facets_{level}" for level in doc_type.levels)
        statement = (
            "SELECT v.object_id, v.name, v.created_at, v.rel, "  # noqa: S608
            f"{facets} AS facets, {score} AS score FROM ("
            f"SELECT d.id, d.object_id, d.name, d.created_at, {rel} AS rel, d.whole_at, {columns}"
            f"{sql.extra_columns} FROM search_document d WHERE {' AND '.join(where)}"
            f") v WHERE {checks}"
        )
        return statement, [*score_params, *rel_params, *where_params, *check_params]

    # --- typo tolerance -------------------------------------------------------------------

    def _alternatives(self, words: list[str]) -> list[list[tuple[str, bool]]]:
        """Per query word, (term, is_prefix) that may stand for it: itself, close spellings.

        The last word is also a prefix (search as you type). One lookup serves all words.
        """
        found: list[list[tuple[str, bool]]] = [
            [(word, i == len(words) - 1)] for i, word in enumerate(words)
        ]
        lookups = [
            (i, word, len(word) - budget, len(word) + budget)
            for i, word in enumerate(words)
            if (budget := typo_budget(word))
        ]
        if not lookups:
            return found
        sql, params = dialect(connection.vendor).candidates_sql(lookups)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            candidates = cursor.fetchall()
        for i, term in candidates:
            word, alternatives = words[i], found[i]
            if (
                len(alternatives) <= MAX_EXPANSIONS
                and term != word
                and within_edits(word, term, typo_budget(word))
            ):
                alternatives.append((term, False))
        return found


def _holds(rule: Rule, viewer: Viewer, sql: PostgresSQL | SQLiteSQL) -> tuple[str, list[Any]]:
    """SQL testing a tier's rule on a document row `d` (viewer-only rules are settled before)."""
    if rule is Rule.OWNER:
        return "d.owner_id = %s", [viewer.user_id or 0]
    if rule is Rule.SHARES_NETWORK:
        return sql.any_of("d.networks", sorted(viewer.active), "bigint")
    raise ValueError(f"No per-document test for {rule}")


def _added(words: dict[int, list[str]]) -> dict[int, list[str]]:
    """Per level, only the words it adds to the levels below (each word stored once)."""
    seen: set[str] = set()
    added = {}
    for level in sorted(words):
        added[level] = [w for w in words[level] if w not in seen]
        seen.update(added[level])
    return added


def _json(value: Any) -> Any:
    """PostgreSQL hands JSON back decoded, SQLite as text."""
    return json.loads(value) if isinstance(value, str) else value
