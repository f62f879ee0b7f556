"""Calls through the REST API, as a poster would write them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from calls.models import Call


def in_days(days: int = 30) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def call_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Cardiologue pédiatrique pour une mission de deux semaines à Oujda",
        "summary": "Le CHU Mohammed VI d'Oujda cherche un cardiologue pédiatre.",
        "body": "Consultations, **formation** des internes, deux semaines en mars.",
        "kind": "expertise_mission",
        "sectors": ["health"],
        "skills": ["cardiology", "pediatrics"],
        "languages": ["fr", "ar"],
        "countries": ["DE", "CA"],
        "remote": False,
        "moroccan_region": "oriental",
        "duration_days": 14,
        "deadline": in_days(),
        "positions": 1,
    }
    body.update(changes)
    return body


def create(api: Any, user: Any, network: Any, **changes: Any) -> Any:
    return api(user).post(
        f"/api/v1/networks/{network.slug}/calls/", call_body(**changes), format="json"
    )


def open_call(api: Any, poster: Any, network: Any, **changes: Any) -> Call:
    """A published call (asserting each step worked)."""
    response = create(api, poster, network, **changes)
    assert response.status_code == 201, response.content
    call_id = response.json()["id"]
    published = api(poster).post(f"/api/v1/calls/{call_id}/publish/")
    assert published.status_code == 200, published.content
    return Call.objects.get(pk=call_id)


def apply(api: Any, user: Any, call: Call, **body: Any) -> Any:
    return api(user).post(
        f"/api/v1/calls/{call.pk}/applications/",
        body or {"message": "Je suis cardiologue pédiatre à Montréal."},
        format="json",
    )


def decide(api: Any, user: Any, application_id: int, action: str, **body: Any) -> Any:
    return api(user).post(
        f"/api/v1/applications/{application_id}/{action}/", body or None, format="json"
    )
