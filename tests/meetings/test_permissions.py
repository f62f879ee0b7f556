"""The permission matrix: every meeting endpoint for every persona, in a public, a private
and a hidden network (missing to those who may not read it, 403 to readers who may not
do it)."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.models import Meeting, Rsvp
from tests.meetings.test_meetings_api import create

PERSONAS = ["owner", "moderator", "member", "pending", "banned", "outsider", "staff"]
NETWORKS = ["public_network", "private_network", "hidden_network"]


def reads(persona: str, kind: str) -> int | None:
    """None when the persona reads the network; else the status a read gets."""
    if persona in ("owner", "moderator", "member", "staff"):
        return None
    if kind == "public_network":
        return 403 if persona == "banned" else None
    return 404


def expected(persona: str, kind: str, action: str) -> int:
    refused = reads(persona, kind)
    if refused is not None:
        return refused
    ok = {"list": 200, "detail": 200, "ics": 200, "rsvp": 200, "create": 201}
    if action in ("create", "attendees", "check_in", "edit", "cancel"):
        if persona not in ("owner", "moderator", "staff"):
            return 403
        return ok.get(action, 200)
    if action == "rsvp" and persona not in ("owner", "moderator", "member", "staff"):
        return 403
    return ok[action]


@pytest.mark.parametrize("kind", NETWORKS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_for_every_persona(
    db: Any, api: Any, request: Any, moderator: Any, member: Any, kind: str, persona: str
) -> None:
    network = request.getfixturevalue(kind)
    meeting = Meeting.objects.get(pk=create(api, moderator, network).json()["id"])
    Rsvp.objects.create(meeting=meeting, user=member, status="going")
    user = request.getfixturevalue(persona)
    client = api(user)
    base = f"/api/v1/meetings/{meeting.pk}/"
    calls = {
        "list": lambda: client.get(f"/api/v1/networks/{network.slug}/meetings/"),
        "detail": lambda: client.get(base),
        "ics": lambda: client.get(base + "ics"),
        "create": lambda: create(api, user, network),
        "rsvp": lambda: client.post(base + "rsvp/", {"status": "maybe"}, format="json"),
        "attendees": lambda: client.get(base + "attendees/"),
        "check_in": lambda: client.post(base + "check-in/", {"user_id": member.pk}, format="json"),
        "edit": lambda: client.patch(base, {"title": "Nouveau titre"}, format="json"),
        "cancel": lambda: client.delete(base),
    }
    got = {action: call().status_code for action, call in calls.items()}
    want = {action: expected(persona, kind, action) for action in calls}
    assert got == want
