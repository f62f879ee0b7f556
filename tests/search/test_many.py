"""Several searches at once (`run_searches`: one multi-search request on Meilisearch)
answer exactly as the same searches one by one, on both backends; an unordered search
finds the same members as an ordered one."""

from __future__ import annotations

from typing import Any

from directory.search import MEMBERS
from search.backends import run_search, run_searches
from search.query import SearchQuery, Viewer
from tests.factories.directory import make_profile
from tests.factories.networks import add_member
from tests.factories.users import make_user


def test_many_searches_answer_as_each_alone(
    backend: Any, public_network: Any, private_network: Any, owner: Any, outsider: Any
) -> None:
    for i, sector in enumerate(["health", "health", "law", "energy"]):
        user = make_user(f"person{i}")
        add_member(public_network, user)
        make_profile(
            user, sectors=[sector], skills=["cardiology"], visibility={"skills": "members"}
        )
    backend.sync()
    scope = frozenset({public_network.pk, private_network.pk})
    queries = [
        SearchQuery(MEMBERS, network_ids=scope, filters={"sector": ["health"]}),
        SearchQuery(MEMBERS, network_ids=scope, filters={"skill": ["cardiology"]}),
        SearchQuery(MEMBERS, q="person", network_ids=scope, limit=2),
        SearchQuery(MEMBERS, network_ids=frozenset()),
        SearchQuery(MEMBERS, network_ids=scope, filters={"sector": ["law"]}, ordered=False),
    ]
    for user in (owner, outsider):
        viewer = Viewer.of(user)
        together = run_searches(queries, viewer, backend.name)
        alone = [run_search(q, viewer, backend.name) for q in queries]
        assert [[(h.object_id, h.relation) for h in r.hits] for r in together] == [
            [(h.object_id, h.relation) for h in r.hits] for r in alone
        ]
        assert [r.estimated_total for r in together] == [r.estimated_total for r in alone]
    # The skill is for co-members: the outsider finds no one by it.
    assert run_searches(queries[1:2], Viewer.of(outsider), backend.name)[0].hits == []
    assert len(run_searches(queries[1:2], Viewer.of(owner), backend.name)[0].hits) == 4
    unordered = run_search(
        SearchQuery(MEMBERS, network_ids=scope, filters={"sector": ["health"]}, ordered=False),
        Viewer.of(owner),
        backend.name,
    )
    assert {h.object_id for h in unordered.hits} == {h.object_id for h in alone[0].hits}
