"""What every search backend returns, and the helpers they share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from search.normalize import normalize
from search.query import Viewer
from search.registry import DocumentType, Hit, IndexedDoc, Rule, Tier


class BackendUnavailable(Exception):
    """The backend cannot answer now (Meilisearch down, index missing): use the database."""


@dataclass
class SearchResult:
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    estimated_total: int = 0
    backend: str = ""


def viewer_tiers(doc_type: DocumentType, viewer: Viewer) -> tuple[list[Tier], int]:
    """The type's tiers still to test per document for this viewer, and the rest's level.

    Rules about the viewer alone are settled here: a staff tier that holds ends the list
    (what no earlier tier claims is seen at its level), and a shared-network tier cannot
    hold for someone active in no network.
    """
    tiers: list[Tier] = []
    for tier in doc_type.tiers:
        if tier.rule is Rule.STAFF:
            if viewer.is_staff:
                return tiers, int(tier.level)
        elif tier.rule is not Rule.SHARES_NETWORK or viewer.active:
            tiers.append(Tier(int(tier.level), tier.rule))
    return tiers, 0


def unique_words(texts: Iterable[str], limit: int = 5000) -> list[str]:
    """Normalized words of all texts, each once, in first-seen order."""
    return _first_unique((normalize(text).split() for text in texts), limit)


def _first_unique(word_lists: Iterable[list[str]], limit: int = 5000) -> list[str]:
    seen: dict[str, None] = {}
    for words in word_lists:
        for word in words:
            if len(word) <= 100:
                seen.setdefault(word, None)
            if len(seen) >= limit:
                return list(seen)
    return list(seen)


def level_words(doc_type: DocumentType, doc: IndexedDoc) -> dict[int, list[str]]:
    """Per level, the words searchable at that level (cumulative; the name at every level)."""
    # Each text is normalized once, whatever the number of levels that include it.
    texts = [(0, normalize(doc.name).split())]
    texts += [(lvl, normalize(text).split()) for _group, lvl, text in doc.texts]
    return {
        level: _first_unique(words for lvl, words in texts if lvl <= level)
        for level in doc_type.levels
    }


def group_text(doc: IndexedDoc, group: str, level: int) -> str:
    """The normalized texts of one group at exactly this level (not the levels below)."""
    return normalize(" ".join(text for g, lvl, text in doc.texts if g == group and lvl == level))


def merge_facets(parts: Iterable[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    merged: dict[str, dict[str, int]] = {}
    for part in parts:
        for name, values in part.items():
            bucket = merged.setdefault(name, {})
            for value, count in values.items():
                bucket[value] = bucket.get(value, 0) + count
    return {
        name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for name, values in merged.items()
    }


def within_edits(a: str, b: str, limit: int) -> bool:
    """Damerau–Levenshtein distance(a, b) ≤ limit, computed in a band of width 2·limit+1."""
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [limit + 1] * len(b)
        lo, hi = max(1, i - limit), min(len(b), i + limit)
        for j in range(lo, hi + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current[max(0, lo - 1) : hi + 1]) > limit:
            return False
        previous2, previous = previous, current
    return previous[len(b)] <= limit


def typo_budget(word: str) -> int:
    """Edits tolerated in a query word, as Meilisearch does by default-ish: none below 4 letters."""
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0
