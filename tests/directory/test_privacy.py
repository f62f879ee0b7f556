"""The privacy matrix: audience × relation × backend.

A field hidden from the viewer must not show, match a query, filter or count in a
facet. Each case gives the member every field at one audience, then searches for
each field's value as self, co-member, outsider and staff.
"""

from __future__ import annotations

from typing import Any

import pytest

from directory.models import DEFAULT_VISIBILITY, Audience
from tests.factories.directory import SearchBackend, make_profile

PROFILE = {
    "headline": "Xylophoniste",
    "bio": "Passionné de quetzalcoatl",
    "city": "Ouarzazate",
    "origin_region": "draa-tafilalet",
    "country": "NZ",
    "sectors": ["aerospace"],
    "skills": ["Kubernetes"],
    "languages": ["nl"],
    "years_experience": 12,
    "engagement": ["investment"],
    "is_project_holder": True,
    "project": {"title": "Hydroponie", "stage": "idea"},
}
# field → a query that finds the member only through that field
QUERIES = {
    "headline": "xylophoniste",
    "bio": "quetzalcoatl",
    "city": "ouarzazate",
    "origin_region": "tafilalet",
    "country": "zealand",
    "sectors": "aéronautique",
    "skills": "kubernetes",
    "languages": "dutch",
    "engagement": "investissement",
    "project": "hydroponie",
}
# field → (facet filter, value, facet count key)
FACETS = {
    "country": ("country", "NZ"),
    "sectors": ("sector", "aerospace"),
    "languages": ("language", "nl"),
    "engagement": ("engagement", "investment"),
    "is_project_holder": ("project_holder", "true"),
}
FILTER_ONLY = {"skills": ("skill", "kubernetes")}
RANK = {Audience.PUBLIC: 0, Audience.MEMBERS: 1, Audience.PRIVATE: 2}
RELATIONS = {"self": 2, "co-member": 1, "outsider": 0, "staff": 2}
VIEWER_PERSONA = {
    "self": "member",
    "co-member": "moderator",
    "outsider": "outsider",
    "staff": "staff",
}


@pytest.fixture
def member_with_audience(public_network: Any, member: Any, staff: Any) -> Any:
    def build(audience: str) -> Any:
        make_profile(member, **PROFILE, visibility=dict.fromkeys(DEFAULT_VISIBILITY, audience))
        make_profile(member, actor=staff, priority_category="vipdiaspora")
        return member

    return build


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBERS, Audience.PRIVATE])
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_hidden_fields_do_not_match_filter_or_count(
    backend: SearchBackend,
    member_with_audience: Any,
    persona: Any,
    api: Any,
    audience: str,
    relation: str,
) -> None:
    member = member_with_audience(audience)
    backend.sync()
    client = api(persona(VIEWER_PERSONA[relation]))
    visible = RANK[audience] <= RELATIONS[relation]
    expected = {member.pk} if visible else set()

    for field, q in QUERIES.items():
        assert ids(client.get("/api/v1/directory/", {"q": q})) & {member.pk} == expected, field
        search = client.get("/api/v1/search/", {"q": q, "type": "members"}).json()
        assert {r["id"] for r in search["results"]} & {member.pk} == expected, (field, q)

    everyone = client.get("/api/v1/networks/germany/directory/").json()
    assert member.pk in {row["id"] for row in everyone["results"]}  # the name is always public
    for field, (facet, value) in FACETS.items():
        assert everyone["facets"][facet].get(value, 0) == (1 if visible else 0), field
        filtered = ids(client.get("/api/v1/networks/germany/directory/", {facet: value}))
        assert filtered & {member.pk} == expected, field
    for field, (name, value) in FILTER_ONLY.items():
        filtered = ids(client.get("/api/v1/directory/", {name: value}))
        assert filtered & {member.pk} == expected, field

    # The staff-only category is private whatever the member chose.
    staff_view = relation in ("self", "staff")
    found = ids(client.get("/api/v1/directory/", {"q": "vipdiaspora"})) & {member.pk}
    assert found == ({member.pk} if staff_view else set())

    profile = client.get(f"/api/v1/profiles/{member.username}/").json()
    for field in QUERIES:
        assert (field in profile) == visible, field
    assert profile["display_name"] == "Member"
    assert ("priority_category" in profile) == staff_view


def test_default_audiences_show_competencies_and_keep_the_city_among_members(
    backend: SearchBackend,
    public_network: Any,
    member: Any,
    moderator: Any,
    outsider: Any,
    api: Any,
) -> None:
    make_profile(member, headline="Cardiologue", city="Montréal", country="CA")
    backend.sync()
    outside = api(outsider).get("/api/v1/directory/", {"q": "cardiologue"}).json()["results"]
    assert [row["id"] for row in outside] == [member.pk]
    assert "city" not in outside[0] and outside[0]["country"] == "CA"
    assert ids(api(outsider).get("/api/v1/directory/", {"q": "montreal"})) == set()
    assert ids(api(moderator).get("/api/v1/directory/", {"q": "montreal"})) == {member.pk}


def test_banned_and_pending_people_are_not_co_members(
    backend: SearchBackend, public_network: Any, member: Any, banned: Any, pending: Any, api: Any
) -> None:
    make_profile(member, city="Tétouan")
    backend.sync()
    for viewer in (banned, pending):
        assert ids(api(viewer).get("/api/v1/directory/", {"q": "tetouan"})) == set()


def test_private_network_members_are_invisible_to_outsiders(
    backend: SearchBackend, private_network: Any, member: Any, outsider: Any, api: Any
) -> None:
    make_profile(member, headline="Chirurgienne pédiatrique")
    backend.sync()
    assert ids(api(outsider).get("/api/v1/directory/", {"q": "chirurgienne"})) == set()
    assert api(outsider).get("/api/v1/networks/medical/directory/").status_code == 404
    response = api(outsider).get("/api/v1/search/", {"q": "chirurgienne"})
    assert response.json() == {"results": [], "estimated_total": 0, "next": None}


def test_leaving_the_last_shared_network_hides_members_only_fields(
    backend: SearchBackend, public_network: Any, member: Any, moderator: Any, api: Any
) -> None:
    from community.actions.membership import do_leave_network

    make_profile(member, city="Essaouira")
    backend.sync()
    assert ids(api(moderator).get("/api/v1/directory/", {"q": "essaouira"})) == {member.pk}
    do_leave_network(moderator, public_network)
    backend.sync()
    assert ids(api(moderator).get("/api/v1/directory/", {"q": "essaouira"})) == set()
