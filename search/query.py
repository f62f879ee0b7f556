"""What a search asks and who asks it, validated once for every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import InvalidInput
from permissions.checks import AnyUser, active_network_ids, readable_network_ids
from search.normalize import normalize

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
MAX_FILTER_VALUES = 20
# Results deeper than this are not paged to: narrow the search instead (as Meilisearch's
# maxTotalHits), so a page never costs more than this many ranked rows.
MAX_DEPTH = 1000


@dataclass(frozen=True)
class Viewer:
    """Who searches: the networks they may read, and those they are an active member of."""

    user_id: int | None
    is_staff: bool
    readable: frozenset[int]
    active: frozenset[int]

    @classmethod
    def of(cls, user: AnyUser) -> Viewer:
        if not user.is_authenticated:
            return cls(None, False, frozenset(), frozenset())
        return cls(
            user_id=int(user.pk),
            is_staff=bool(getattr(user, "is_staff", False)),
            readable=readable_network_ids(user),
            active=active_network_ids(user),
        )


@dataclass
class SearchQuery:
    doc_type: str
    q: str = ""
    # Networks to search in; always a subset of what the viewer may read.
    network_ids: frozenset[int] = frozenset()
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 50
    offset: int = 0
    with_facets: bool = False
    # False: any order will do (the caller ranks the hits itself), which spares the
    # engine sorting every match by name when no words rank them.
    ordered: bool = True

    @property
    def words(self) -> list[str]:
        return normalize(self.q).split()[:MAX_QUERY_WORDS]

    @property
    def normalized(self) -> str:
        return " ".join(self.words)


def clean_q(raw: Any) -> str:
    """The query text, or a 400 for one no person would type."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InvalidInput("invalid", "q must be text.", {"q": ["Not text."]})
    if len(raw) > MAX_QUERY_CHARS:
        raise InvalidInput(
            "query_too_long",
            f"The search text is too long ({len(raw)} characters; at most {MAX_QUERY_CHARS}).",
            {"q": [f"At most {MAX_QUERY_CHARS} characters."]},
        )
    return raw.strip()


def clean_offset(raw: Any) -> int:
    if raw in (None, ""):
        return 0
    try:
        offset = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(
            "invalid_cursor", "The cursor is not valid.", {"cursor": ["Invalid."]}
        ) from None
    if not 0 <= offset < MAX_DEPTH:
        raise InvalidInput(
            "too_deep",
            f"Only the first {MAX_DEPTH} results can be paged through; narrow the search.",
            {"cursor": ["Too deep."]},
        )
    return offset
