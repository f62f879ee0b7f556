"""Query counts of the list endpoints are locked: a page costs the same for 5 or 200 rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from community.models import Network
from directory.models import Profile
from tests.factories.networks import add_member, bulk_add_members, make_network

pytestmark = pytest.mark.django_db


def bulk_networks(owner: Any, member: Any, count: int) -> None:
    """`count` networks of every visibility; `member` belongs to the hidden ones."""
    visibilities = ["public", "private", "hidden"]
    networks = Network.objects.bulk_create(
        Network(
            name=f"Réseau {i:03d}",
            slug=f"reseau-{i}",
            kind="thematic",
            theme="test",
            visibility=visibilities[i % 3],
        )
        for i in range(count)
    )
    rows = [(n, owner, "owner", "active") for n in networks]
    rows += [(n, member, "member", "active") for n in networks if n.visibility == "hidden"]
    bulk_add_members(rows)


def bulk_members(network: Network, count: int) -> None:
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"member{i}", password=make_password(None)) for i in range(count)
    )
    Profile.objects.bulk_create(
        Profile(user=u, display_name=f"عضو {i}") for i, u in enumerate(users)
    )
    statuses = ["active", "active", "pending", "banned"]
    bulk_add_members(
        [(network, u, "member", statuses[i % 4]) for i, u in enumerate(users)],
        acted_by=network.created_by,
    )


@pytest.mark.parametrize("count", [5, 200])
def test_network_list_costs_two_queries_whatever_the_number_of_networks(
    api: Callable[[Any], Any],
    owner: Any,
    member: Any,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    bulk_networks(owner, member, count)
    client = api(member)

    # the token (with its user), the page (visibility, counts and my membership in one)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/networks/?limit=200")

    assert len(response.json()["results"]) == count
    assert all(n["member_count"] >= 1 for n in response.json()["results"])


@pytest.mark.parametrize("count", [5, 200])
def test_anonymous_network_list_costs_one_query(
    api: Callable[[Any], Any],
    owner: Any,
    member: Any,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    bulk_networks(owner, member, count)

    with django_assert_num_queries(1):
        response = api(None).get("/api/v1/networks/?limit=200")

    assert len(response.json()["results"]) == count - count // 3


@pytest.mark.parametrize("count", [5, 200])
def test_member_list_costs_three_queries_whatever_the_number_of_members(
    api: Callable[[Any], Any],
    owner: Any,
    moderator: Any,
    member: Any,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    network = make_network(owner, slug="canada", visibility="private")
    add_member(network, moderator, "moderator")
    add_member(network, member)
    bulk_members(network, count)

    # the token, the network with my membership and grants, the page with users and profiles
    for who in (member, moderator):
        client = api(who)
        with django_assert_num_queries(3):
            response = client.get("/api/v1/networks/canada/members/?limit=200")
        assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == min(count + 3, 200)
    assert {r["user"]["display_name"] for r in rows[3:6]} <= {f"عضو {i}" for i in range(count)}


def test_network_detail_costs_three_queries(
    api: Callable[[Any], Any],
    member: Any,
    public_network: Network,
    django_assert_num_queries: Any,
) -> None:
    client = api(member)

    with django_assert_num_queries(3):
        assert client.get("/api/v1/networks/germany/").status_code == 200


def test_pages_follow_each_other_without_gaps_or_repeats(
    api: Callable[[Any], Any], owner: Any, member: Any
) -> None:
    for name in ["Canada", "canada bis", "France", "المغرب", "Égypte", "Deutschland"]:
        make_network(owner, name=name)
    client = api(member)

    seen: list[str] = []
    url: str | None = "/api/v1/networks/?limit=4"
    while url:
        body = client.get(url).json()
        seen += [n["slug"] for n in body["results"]]
        url = body["next"] and f"/api/v1/networks/?limit=4&cursor={body['next']}"

    expected = list(Network.objects.order_by("name", "id").values_list("slug", flat=True))
    assert seen == expected and len(seen) == 6
