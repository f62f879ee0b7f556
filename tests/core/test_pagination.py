"""Keyset pagination: pages chain without gaps or repeats, whatever the ordering."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from community.models import AuditEntry, Network
from core.errors import InvalidInput
from core.pagination import decode_cursor, encode_cursor, paginate, parse_limit
from tests.factories.networks import make_network

pytestmark = pytest.mark.django_db


def request(**params: Any) -> Request:
    return Request(APIRequestFactory().get("/", params))


def walk(queryset: Any, ordering: tuple[str, ...], limit: int) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        rows, cursor = paginate(queryset, request(**params), ordering)
        pages.append([row.pk for row in rows])
        if cursor is None:
            return pages


@pytest.mark.parametrize(
    "ordering", [("name", "id"), ("-name", "id"), ("-created_at", "-id"), ("-id",)]
)
def test_pages_chain_in_any_ordering(owner: Any, ordering: tuple[str, ...]) -> None:
    same_time = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    for name in ["Canada", "Canada", "France", "المغرب", "ⵜⴰⵎⴰⵣⵖⴰ", "Belgique", "Canada"]:
        network = make_network(owner, name=name)
        Network.objects.filter(pk=network.pk).update(created_at=same_time)

    pages = walk(Network.objects.all(), ordering, limit=2)

    flat = [pk for page in pages for pk in page]
    expected = list(Network.objects.order_by(*ordering).values_list("pk", flat=True))
    assert flat == expected
    assert [len(p) for p in pages] == [2, 2, 2, 1]


def test_an_exact_last_page_has_no_next_cursor(owner: Any) -> None:
    for _ in range(4):
        make_network(owner)

    assert [len(p) for p in walk(Network.objects.all(), ("id",), limit=2)] == [2, 2]


def test_cursors_round_trip_aware_datetimes() -> None:
    moment = dt.datetime(2025, 3, 30, 18, 45, 12, 345678, tzinfo=dt.UTC)

    assert decode_cursor(encode_cursor([moment, 7, "Agadir"]), 3) == [moment, 7, "Agadir"]


def test_limit_defaults_to_fifty_and_stops_at_two_hundred() -> None:
    assert parse_limit(request()) == 50
    assert parse_limit(request(limit="200")) == 200
    with pytest.raises(InvalidInput):
        parse_limit(request(limit="201"))


def test_an_empty_table_is_one_empty_page() -> None:
    assert paginate(AuditEntry.objects.all(), request(), ("-id",)) == ([], None)
