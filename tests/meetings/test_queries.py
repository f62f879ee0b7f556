"""Constant query counts: a page of a network's meetings (with the reader's answers) and a
network's calendar feed cost the same for 5 meetings as for 40, and for a meeting with
hundreds of answers as for one with none."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Meeting, Rsvp
from tests.factories.users import make_user


def bulk_meetings(network: Any, organizer: Any, n: int, answers: int = 0) -> list[Meeting]:
    start = timezone.now() + dt.timedelta(days=2)
    made = Meeting.objects.bulk_create(
        Meeting(
            network=network,
            organizer=organizer,
            title=f"Rencontre {i}",
            starts_at=start + dt.timedelta(hours=i),
            ends_at=start + dt.timedelta(hours=i + 1),
            timezone="Europe/Berlin",
            online_url="https://meet.example.org/x",
        )
        for i in range(n)
    )
    people = [make_user() for _ in range(answers)]
    Rsvp.objects.bulk_create(Rsvp(meeting=m, user=p, status="going") for m in made for p in people)
    return made


def count(call: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_list_costs_the_same_for_5_or_40_meetings(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    client = api(member)
    url = f"/api/v1/networks/{public_network.slug}/meetings/?limit=50"
    bulk_meetings(public_network, moderator, 5)
    few = count(lambda: client.get(url))
    bulk_meetings(public_network, moderator, 35, answers=3)
    assert count(lambda: client.get(url)) == few


def test_the_feed_costs_the_same_for_5_or_40_meetings(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    token = api(member).get("/api/v1/calendar-token/").json()["token"]
    url = f"/api/v1/networks/{public_network.slug}/calendar.ics?token={token}"
    anonymous = api(None)
    bulk_meetings(public_network, moderator, 5)
    few = count(lambda: anonymous.get(url))
    bulk_meetings(public_network, moderator, 35, answers=3)
    assert count(lambda: anonymous.get(url)) == few
