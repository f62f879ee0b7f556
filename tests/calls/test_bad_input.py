"""Bad input to calls and applications: a 400 naming the field (the directory's own
vocabulary), a 409 with the allowed moves, never a 500, and nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calls.models import Application, Call
from tests.factories.calls import apply, call_body, create, open_call

BAD_FIELDS = [
    ("deadline", (timezone.now() - dt.timedelta(days=1)).isoformat()),
    ("deadline", "2027-02-30"),
    ("deadline", "next week"),
    ("deadline", "٢٠٢٧-٠١-٠١"),
    ("positions", 0),
    ("positions", -3),
    ("positions", "2"),
    ("positions", True),
    ("kind", "conference"),
    ("sectors", ["health", "astrology"]),
    ("sectors", "health"),  # a comma list is accepted; this one is fine — see below
    ("languages", ["klingon"]),
    ("countries", ["XX"]),
    ("countries", [""]),
    ("skills", [f"skill {i}" for i in range(31)]),
    ("skills", [""]),
    ("skills", ["x" * 51]),
    ("duration_days", 0),
    ("duration_days", 100_000),
    ("moroccan_region", "atlantis"),
    ("title", ""),
    ("title", "t" * 201),
    ("remote", "perhaps"),
    ("body", ["not", "text"]),
]


@pytest.mark.parametrize(("field", "value"), [b for b in BAD_FIELDS if b != ("sectors", "health")])
def test_a_bad_field_is_a_400_naming_it(
    db: Any, api: Any, public_network: Any, moderator: Any, field: str, value: Any
) -> None:
    response = create(api, moderator, public_network, **{field: value})
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Call.objects.exists()


def test_every_bad_field_is_named_at_once_and_unknown_ones_refused(
    db: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    response = create(api, moderator, public_network, positions=0, kind="x", countries=["XX"])
    assert set(response.json()["error"]["fields"]) >= {"positions", "kind", "countries"}
    unknown = create(api, moderator, public_network, salary=1000)
    assert unknown.status_code == 400
    assert "salary" in unknown.json()["error"]["fields"]
    for body in ([], "text", None, 7):
        sent = api(moderator).post(
            f"/api/v1/networks/{public_network.slug}/calls/", body, format="json"
        )
        assert sent.status_code == 400, (body, sent.content)
    missing = api(moderator).post(
        f"/api/v1/networks/{public_network.slug}/calls/", {"title": "Un appel"}, format="json"
    )
    assert set(missing.json()["error"]["fields"]) == {"kind", "deadline"}


def test_an_edit_cannot_drop_positions_below_those_accepted(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network, positions=3)
    application_id = apply(api, member, call).json()["id"]
    api(moderator).post(f"/api/v1/applications/{application_id}/accept/")
    response = api(moderator).patch(f"/api/v1/calls/{call.pk}/", {"positions": 0}, format="json")
    assert response.status_code == 400
    ok = api(moderator).patch(f"/api/v1/calls/{call.pk}/", {"positions": 1}, format="json")
    assert ok.status_code == 200
    call.refresh_from_db()
    assert call.positions == 1


def test_an_application_message_over_the_limit_or_missing_when_asked_is_a_400(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network, message_required=True)
    for body in (
        {"message": ""},
        {},
        {"message": "x" * 5001},
        {"message": "ok", "available_from": "2027-06-10", "available_to": "2027-06-01"},
        {"message": "ok", "available_from": "soon"},
        {"message": "ok", "cv": "attached"},
        {"message": 42},
    ):
        response = (
            apply(api, member, call, **body)
            if body
            else api(member).post(f"/api/v1/calls/{call.pk}/applications/", {}, format="json")
        )
        assert response.status_code == 400, (body, response.content)
    assert not Application.objects.exists()
    call.refresh_from_db()
    assert call.applications_count == 0


def test_no_application_after_the_deadline(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    response = apply(api, member, call)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "call_closed"
    assert api(member).get(f"/api/v1/calls/{call.pk}/").json()["accepting_applications"] is False
    # Publishing a draft whose deadline went by asks for a new one.
    draft = Call.objects.get(pk=create(api, moderator, public_network).json()["id"])
    Call.objects.filter(pk=draft.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    published = api(moderator).post(f"/api/v1/calls/{draft.pk}/publish/")
    assert published.status_code == 400
    assert "deadline" in published.json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/calls/0/",
        "/api/v1/calls/99999999999999999999/",
        "/api/v1/applications/0/accept/",
        "/api/v1/applications/1/explode/",
        "/api/v1/calls/1/matches/?limit=abc",
    ],
)
def test_odd_addresses_are_404_or_400_never_500(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any, path: str
) -> None:
    call = open_call(api, moderator, public_network)
    apply(api, member, call)
    response = api(moderator).post(path) if "applications" in path else api(moderator).get(path)
    assert response.status_code in (400, 404, 405), response.content


def test_a_comma_list_of_sectors_reads_as_a_list(
    db: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    response = create(api, moderator, public_network, sectors="health, research")
    assert response.status_code == 201
    assert response.json()["sectors"] == ["health", "research"]
    assert call_body()["sectors"] == ["health"]
