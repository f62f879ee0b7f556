"""The Meilisearch backend: one index per document type, settings made on purpose.

Per-field privacy without trusting the caller: every document carries its searchable
text split by the relation level that may see it (for the directory's members:
`text0` what anyone who may see the document may search, `text1` what only
co-members may also search, `text2` what only the owner and staff may), and one copy
of its facet values per level (`sector1`: the sectors a co-member may see). A search
is split by relation, one part per tier its type declares and one for the rest (for
members: the asker's own profile, profiles of co-members, the rest), and each part
searches only the texts up to its level (`attributesToSearchOn`: every query word
must match in one of them) and filters and counts only its level's facet copies, so
a hidden value never matches, filters or counts. The parts are merged by ranking
score. (Each word is indexed once, not once per level: with one copy of the text per
level, Meilisearch spent 2.3 times as long indexing the same 10,000 generated
profiles.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.conf import settings

from search import registry
from search.backends.base import (
    BackendUnavailable,
    SearchResult,
    group_text,
    merge_facets,
    viewer_tiers,
)
from search.normalize import has_arabic, normalize, split_scripts
from search.query import MAX_DEPTH, SearchQuery, Viewer
from search.registry import DocumentType, Hit, IndexedDoc, Rule

logger = logging.getLogger(__name__)

# Exact and whole-word matches (a name typed in full) before proximity; `attribute`
# early so that a match in the name beats one in a bio.
RANKING_RULES = ["words", "typo", "attribute", "exactness", "proximity", "sort"]


def index_uid(doc_type: str, suffix: str = "") -> str:
    return f"{settings.MEILISEARCH_INDEX_PREFIX}_{doc_type}{suffix}"


def searchable(doc_type: DocumentType, level: int | None = None) -> list[str]:
    """Searchable attributes, most important first; up to `level`'s texts when given."""
    levels = tuple(lvl for lvl in doc_type.levels if level is None or lvl <= level)
    attributes = ["name", "name_ar"]
    for group in doc_type.groups:
        for lvl in levels:
            attributes += [f"{group}{lvl}", f"{group}{lvl}_ar"]
    return attributes


def index_settings(doc_type: DocumentType) -> dict[str, Any]:
    return {
        "searchableAttributes": searchable(doc_type),
        "displayedAttributes": ["id"],
        "filterableAttributes": [
            "id",
            "network_ids",
            "owner_id",
            "room_id",
            *(f"{name}{lvl}" for name in doc_type.filters for lvl in doc_type.levels),
        ],
        "sortableAttributes": ["sort_name", "created_at"],
        "rankingRules": RANKING_RULES,
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
        },
        # Without this, a short Arabic text is sometimes detected as Persian or Urdu and
        # its ك/ي are normalized differently from the query's.
        "localizedAttributes": [{"attributePatterns": ["*_ar"], "locales": ["ara"]}],
        "faceting": {"maxValuesPerFacet": 300, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_DEPTH},
    }


def meili_document(doc_type: DocumentType, doc: IndexedDoc) -> dict[str, Any]:
    name, name_ar = split_scripts(normalize(doc.name))
    created = doc.created_at or dt.datetime.now(dt.UTC)
    body: dict[str, Any] = {
        "id": doc.object_id,
        "network_ids": doc.network_ids,
        "owner_id": doc.owner_id or 0,
        "room_id": doc.room_id or 0,
        "name": name,
        "name_ar": name_ar,
        "sort_name": normalize(doc.name),
        "created_at": int(created.timestamp()),
    }
    # Facet values per level, cumulative: a relation filters on one copy.
    values: dict[tuple[str, int], set[str]] = {
        (facet, level): set() for facet in doc_type.filters for level in doc_type.levels
    }
    for facet, value, lowest in doc.facets:
        for level in doc_type.levels:
            if level >= lowest and (facet, level) in values:
                values[facet, level].add(value)
    for level in doc_type.levels:
        for group in doc_type.groups:
            latin, arabic = split_scripts(group_text(doc, group, level))
            body[f"{group}{level}"] = latin
            body[f"{group}{level}_ar"] = arabic
        for facet in doc_type.filters:
            body[f"{facet}{level}"] = sorted(values[facet, level])
    return body


def _quote(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _in(attribute: str, values: Any) -> str:
    return f"{attribute} IN [{', '.join(_quote(v) for v in sorted(values))}]"


def _rule_filters(rule: Rule, viewer: Viewer) -> tuple[str, str]:
    """(holds, fails): the filters of the documents a tier's rule holds and fails for."""
    if rule is Rule.OWNER:
        me = viewer.user_id or 0
        return f"owner_id = {me}", f"owner_id != {me}"
    if rule is Rule.SHARES_NETWORK:
        shared = _in("network_ids", viewer.active)
        return shared, f"NOT {shared}"
    raise ValueError(f"No per-document filter for {rule}")


class MeilisearchBackend:
    name = "meilisearch"

    def __init__(self, client: Any) -> None:
        self.client = client

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        return self.search_many([query], viewer)[0]

    def search_many(self, queries: list[SearchQuery], viewer: Viewer) -> list[SearchResult]:
        """Several searches in one request to Meilisearch (one multi-search holding every
        part of every query), each answered as `search` would."""
        plans: list[tuple[SearchQuery, DocumentType, list[tuple[int, str]], int]] = []
        requests: list[dict[str, Any]] = []
        for query in queries:
            doc_type = registry.get(query.doc_type)
            parts = self._parts(doc_type, viewer) if query.network_ids else []
            plans.append((query, doc_type, parts, len(requests)))
            depth = query.offset + query.limit
            requests += [
                self._request(doc_type, query, level, scope, depth) for level, scope in parts
            ]
        answers = self._multi_search(requests) if requests else []
        results = []
        for query, doc_type, parts, start in plans:
            if not parts or answers is None:
                facets: dict[str, dict[str, int]] = (
                    {n: {} for n in doc_type.facets} if answers is None else {}
                )
                results.append(SearchResult([], facets, 0, self.name))
                continue
            results.append(self._result(query, doc_type, parts, answers[start:]))
        return results

    def _multi_search(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The answers, or None when the index holds no document yet (nothing matches)."""
        from meilisearch.errors import MeilisearchApiError, MeilisearchError

        try:
            return list(self.client.multi_search(requests)["results"])
        except MeilisearchApiError as exc:
            if exc.code == "invalid_search_attributes_to_search_on":
                # Every document carries every attribute, so Meilisearch only lacks one when
                # the index holds no document yet: nothing can match.
                return None
            if exc.code in ("index_not_found",) or exc.status_code >= 500:
                raise BackendUnavailable(str(exc)) from exc
            raise
        except (MeilisearchError, OSError) as exc:
            raise BackendUnavailable(str(exc)) from exc

    def _result(
        self,
        query: SearchQuery,
        doc_type: DocumentType,
        parts: list[tuple[int, str]],
        answers: list[dict[str, Any]],
    ) -> SearchResult:
        hits: list[Hit] = []
        facet_parts = []
        total = 0
        for (level, _scope), answer in zip(parts, answers[: len(parts)], strict=True):
            total += answer.get("estimatedTotalHits", 0)
            for rank, found in enumerate(answer["hits"]):
                score = found.get("_rankingScore", 0.0)
                hits.append(Hit(doc_type.name, int(found["id"]), level, score - rank * 1e-9))
            if query.with_facets:
                facet_parts.append(
                    {
                        name[: -len(str(level))]: values
                        for name, values in (answer.get("facetDistribution") or {}).items()
                    }
                )
        if query.words:
            hits.sort(key=lambda h: -h.score)
        facets = merge_facets(facet_parts) if query.with_facets else {}
        if query.with_facets:
            facets = {name: facets.get(name, {}) for name in doc_type.facets}
        return SearchResult(
            hits[query.offset : query.offset + query.limit], facets, total, self.name
        )

    def _parts(self, doc_type: DocumentType, viewer: Viewer) -> list[tuple[int, str]]:
        """(relation, filter) parts that split the documents by the asker's relation: one
        per tier of the type (where it holds and no earlier one does), then the rest."""
        tiers, rest = viewer_tiers(doc_type, viewer)
        if not tiers:
            return [(rest, "")]
        parts = []
        earlier: list[str] = []  # the negations of the tiers before
        for tier in tiers:
            holds, fails = _rule_filters(tier.rule, viewer)
            parts.append((tier.level, " AND ".join([holds, *earlier])))
            earlier.append(fails)
        parts.append((rest, " AND ".join(earlier)))
        return parts

    def _request(
        self, doc_type: DocumentType, query: SearchQuery, level: int, scope: str, depth: int
    ) -> dict[str, Any]:
        filters = [_in("network_ids", query.network_ids)]
        if scope:
            filters.append(scope)
        for name, values in query.filters.items():
            filters.append(_in(f"{name}{level}", values))
        request: dict[str, Any] = {
            "indexUid": index_uid(doc_type.name),
            "q": query.normalized,
            "filter": " AND ".join(f"({f})" for f in filters),
            "attributesToSearchOn": searchable(doc_type, level),
            "attributesToRetrieve": ["id"],
            "limit": depth,
            "offset": 0,
            "showRankingScore": True,
            # Every word must match, as in the database backend: dropping words would
            # list people who are not what was asked for (and inflate facet counts).
            "matchingStrategy": "all",
        }
        if query.with_facets and doc_type.facets:
            request["facets"] = [f"{name}{level}" for name in doc_type.facets]
        if not query.words and query.ordered:
            request["sort"] = (
                ["sort_name:asc"] if doc_type.placeholder_sort == "name" else ["created_at:desc"]
            )
        if has_arabic(query.q) and not any(c.isascii() and c.isalpha() for c in query.q):
            request["locales"] = ["ara"]
        return request

    # --- writing ------------------------------------------------------------------------

    def write(
        self, doc_type: DocumentType, docs: dict[int, IndexedDoc | None], uid: str | None = None
    ) -> list[int]:
        """Send upserts and deletions; the Meilisearch task uids to wait for."""
        index = self.client.index(uid or index_uid(doc_type.name))
        tasks = []
        upserts = [meili_document(doc_type, d) for d in docs.values() if d is not None]
        deletions = [object_id for object_id, d in docs.items() if d is None]
        if upserts:
            tasks.append(index.add_documents(upserts, primary_key="id").task_uid)
        if deletions:
            tasks.append(index.delete_documents(filter=_in("id", deletions)).task_uid)
        return tasks

    def wait(self, tasks: list[int], timeout_ms: int = 60_000) -> None:
        """Block until the tasks are processed; raise if one failed (so its entries stay queued)."""
        for uid in tasks:
            task = self.client.wait_for_task(uid, timeout_in_ms=timeout_ms, interval_in_ms=20)
            if task.status != "succeeded":
                raise RuntimeError(f"Meilisearch task {uid} {task.status}: {task.error}")

    def ensure_index(self, doc_type: DocumentType, uid: str | None = None) -> None:
        """Create the index if needed and apply the settings (idempotent)."""
        uid = uid or index_uid(doc_type.name)
        from meilisearch.errors import MeilisearchApiError

        try:
            self.client.get_index(uid)
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise
            self.wait([self.client.create_index(uid, {"primaryKey": "id"}).task_uid])
        self.wait([self.client.index(uid).update_settings(index_settings(doc_type)).task_uid])
