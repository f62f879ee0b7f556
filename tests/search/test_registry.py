"""The registry: the apps register their document types, and what a type may declare."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pytest
from django.db.models import QuerySet

from calls.search import CALLS
from chat.search import MESSAGES
from community.forums.search import POSTS, TOPICS
from directory.search import MEMBERS
from meetings.search import MEETINGS
from search import registry
from search.registry import DocumentType, Hit, IndexedDoc, Rule, Tier


def test_the_apps_register_their_types_in_their_declared_order() -> None:
    assert registry.names() == [MEMBERS, TOPICS, POSTS, MESSAGES, MEETINGS, CALLS]


class Sketch(DocumentType):
    name = "sketches"
    order = 99
    levels: ClassVar[tuple[int, ...]] = (0, 1)

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        return dict.fromkeys(ids)

    def source(self) -> QuerySet[Any]:
        raise NotImplementedError

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        return []


@pytest.mark.parametrize(
    ("levels", "tiers"),
    [
        ((0, 2), ()),  # levels are 0, 1, … in turn
        ((0, 1, 2, 3), ()),  # the index holds three levels
        ((0, 1), (Tier(2, Rule.OWNER),)),  # a tier's level is one of the type's
    ],
)
def test_a_type_the_index_cannot_hold_is_refused(
    levels: tuple[int, ...], tiers: tuple[Tier, ...]
) -> None:
    kind = type("Odd", (Sketch,), {"levels": levels, "tiers": tiers})()
    with pytest.raises(ValueError):
        registry.register(kind)
    assert "sketches" not in registry.names()
