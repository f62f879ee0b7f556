"""GET/PATCH /api/v1/profile/, GET /api/v1/profiles/{username}/, bad input, query counts."""

from __future__ import annotations

from typing import Any

import pytest

from directory.models import Profile
from directory.search import MEMBERS
from search.models import Document
from tests.factories.directory import make_profile
from tests.factories.networks import add_member
from tests.factories.users import make_user


def test_patch_updates_fields_and_audiences_and_reindexes(
    database_only: Any, public_network: Any, member: Any, moderator: Any, api: Any
) -> None:
    response = api(member).patch(
        "/api/v1/profile/",
        {
            "city": "Rabat",
            "visibility": {"city": "private"},
            "skills": ["  Gestion   de Projet ", "gestion de projet", "C++"],
            "languages": ["AR", "zgh"],
            "is_project_holder": True,
            "project": {
                "title": "Serres solaires",
                "stage": "prototype",
                "target_region": "souss-massa",
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["city"] == "Rabat" and body["visibility"]["city"] == "private"
    assert body["skills"] == ["gestion de projet", "c++"] and body["languages"] == ["ar", "zgh"]
    assert body["project"]["stage"] == "prototype"
    assert Document.objects.get(doc_type=MEMBERS, object_id=member.pk).text_2.count("rabat") == 1
    seen = api(moderator).get("/api/v1/profiles/member/").json()
    assert "city" not in seen and seen["project"]["title"] == "Serres solaires"
    assert "visibility" not in seen


def test_only_staff_set_the_priority_category(
    database_only: Any, member: Any, staff: Any, api: Any
) -> None:
    response = api(member).patch("/api/v1/profile/", {"priority_category": "A"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "staff_only"
    make_profile(member, actor=staff, priority_category="A")
    assert api(member).get("/api/v1/profile/").json()["priority_category"] == "A"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "morocco"}, "country"),
        ({"sectors": ["plumbing"]}, "sectors"),
        ({"languages": ["klingon"]}, "languages"),
        ({"engagement": "mentoring"}, None),  # a single value is accepted as a list
        ({"years_experience": -1}, "years_experience"),
        ({"years_experience": "ten"}, "years_experience"),
        ({"skills": ["x" * 51]}, "skills"),
        ({"skills": ["s"] * 31}, "skills"),
        ({"headline": "h" * 201}, "headline"),
        ({"project": {"stage": "done"}}, "project.stage"),
        ({"project": "mine"}, "project"),
        ({"visibility": {"city": "friends"}}, "visibility"),
        ({"visibility": {"display_name": "private"}}, "visibility"),
        ({"visibility": {"salary": "public"}}, "visibility"),
        ({"salary": 10}, "salary"),
        ({"origin_region": "atlantis"}, "origin_region"),
    ],
)
def test_invalid_profile_values_are_refused_and_nothing_changes(
    database_only: Any, member: Any, api: Any, body: dict, field: str | None
) -> None:
    make_profile(member, headline="Before")
    response = api(member).patch("/api/v1/profile/", body, format="json")
    if field is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert Profile.objects.get(user=member).headline == "Before"


def test_several_bad_fields_are_reported_at_once(database_only: Any, member: Any, api: Any) -> None:
    response = api(member).patch(
        "/api/v1/profile/", {"country": "XX", "languages": ["xx"]}, format="json"
    )
    assert set(response.json()["error"]["fields"]) == {"country", "languages"}


def test_unknown_profiles_and_anonymous_visitors(database_only: Any, member: Any, api: Any) -> None:
    assert api(member).get("/api/v1/profiles/nobody/").status_code == 404
    assert api(None).get("/api/v1/profiles/member/").status_code == 401
    assert api(None).get("/api/v1/directory/").status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sector": "plumbing"}, "sector"),
        ({"country": "ZZ"}, "country"),
        ({"language": "xx"}, "language"),
        ({"engagement": "napping"}, "engagement"),
        ({"project_holder": "maybe"}, "project_holder"),
        ({"skill": "y" * 51}, "skill"),
        ({"q": "q" * 10 * 1024}, "q"),
        ({"limit": "-3"}, "limit"),
        ({"limit": "lots"}, "limit"),
        ({"limit": "1000000000000"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzEwMDAwMDBd"}, "cursor"),  # [1000000]: deeper than anyone may page
    ],
)
def test_bad_directory_queries_get_clear_errors(
    database_only: Any, public_network: Any, member: Any, api: Any, params: dict, field: str
) -> None:
    for path in ("/api/v1/directory/", "/api/v1/networks/germany/directory/"):
        response = api(member).get(path, params)
        assert response.status_code == 400, (path, response.content)
        assert field in response.json()["error"]["fields"]


def test_search_refuses_long_queries_unknown_types_and_hidden_networks(
    database_only: Any, hidden_network: Any, outsider: Any, api: Any
) -> None:
    client = api(outsider)
    assert client.get("/api/v1/search/", {"q": "é" * 10 * 1024}).json()["error"]["code"] == (
        "query_too_long"
    )
    assert client.get("/api/v1/search/", {"q": "x", "type": "films"}).status_code == 400
    assert client.get("/api/v1/search/", {"q": ""}).status_code == 400
    assert client.get("/api/v1/search/", {"q": "x", "network": "lawyers"}).status_code == 404


def test_directory_pages_follow_the_cursor(
    database_only: Any, public_network: Any, member: Any, api: Any
) -> None:
    for i in range(7):
        add_member(public_network, make_user(f"page{i}"))
    seen: list[int] = []
    params: dict[str, str] = {"limit": "3"}
    while True:
        page = api(member).get("/api/v1/networks/germany/directory/", params).json()
        seen += [row["id"] for row in page["results"]]
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert (
        len(seen) == len(set(seen)) == page["estimated_total"] == 10
    )  # 7 + owner, moderator, member


@pytest.mark.parametrize("size", [3, 30])
def test_directory_query_count_does_not_grow_with_the_page(
    database_only: Any,
    public_network: Any,
    member: Any,
    api: Any,
    django_assert_num_queries: Any,
    size: int,
) -> None:
    for i in range(size):
        user = make_user(f"count{i}")
        add_member(public_network, user)
        make_profile(user, headline=f"Ingénieure {i}", sectors=["energy"], country="CA")
    client = api(member)
    client.get("/api/v1/networks/germany/directory/")  # warm the access cache
    # Token, network access, the viewer's networks, one typo-candidate lookup for all the
    # query words, one statement for total, facets and page, and the page's profiles.
    with django_assert_num_queries(6):
        response = client.get(
            "/api/v1/networks/germany/directory/", {"q": "ingenieure", "sector": "energy"}
        )
    assert response.json()["estimated_total"] == size
