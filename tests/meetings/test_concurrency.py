"""Seats under real concurrency (PostgreSQL row locks, real threads): 20 people answering
at once for 5 seats leave exactly 5 going and 15 waitlisted in one order; seats given up
while others answer never seat two people in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from meetings import actions
from meetings.models import Meeting, Rsvp
from tests import _threads as threads
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def a_meeting(network: Any, organizer: Any, capacity: int) -> Meeting:
    start = timezone.now() + dt.timedelta(days=3)
    return actions.do_create_meeting(
        organizer,
        network,
        {
            "title": "Webinaire cardiologie",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "timezone": "Africa/Casablanca",
            "format": "online",
            "capacity": capacity,
        },
    )


def run_all(calls: list[Any]) -> None:
    errors = [r for r in threads.run_all(calls) if isinstance(r, BaseException)]
    assert not errors, errors


def check_counts(meeting: Meeting) -> tuple[int, int]:
    meeting.refresh_from_db()
    going = Rsvp.objects.filter(meeting=meeting, status="going").count()
    waiting = Rsvp.objects.filter(meeting=meeting, status="waitlisted")
    positions = list(waiting.order_by("position").values_list("position", flat=True))
    assert len(set(positions)) == len(positions)  # one place each
    assert (meeting.going_count, meeting.waitlist_count) == (going, len(positions))
    assert going <= (meeting.capacity or going)
    return going, len(positions)


def test_twenty_at_once_for_five_seats(public_network: Any, moderator: Any) -> None:
    assert connection.vendor == "postgresql"
    meeting = a_meeting(public_network, moderator, capacity=5)
    people = [make_user() for _ in range(20)]
    for user in people:
        add_member(public_network, user)
    run_all([lambda u=u: actions.do_rsvp(u, meeting, "going") for u in people])
    assert check_counts(meeting) == (5, 15)
    waiting = list(
        Rsvp.objects.filter(meeting=meeting, status="waitlisted").order_by("position", "id")
    )
    assert [r.position for r in waiting] == list(range(1, 16))


def test_seats_given_up_while_others_answer_seat_one_each(
    public_network: Any, moderator: Any
) -> None:
    meeting = a_meeting(public_network, moderator, capacity=4)
    seated = [make_user() for _ in range(4)]
    newcomers = [make_user() for _ in range(8)]
    for user in seated + newcomers:
        add_member(public_network, user)
    for user in seated:
        actions.do_rsvp(user, meeting, "going")
    leaving = [lambda u=u: actions.do_rsvp(u, meeting, "not_going") for u in seated[:3]]
    joining = [lambda u=u: actions.do_rsvp(u, meeting, "going") for u in newcomers]
    run_all(leaving + joining)
    going, waiting = check_counts(meeting)
    assert going == 4 and waiting == 5  # 1 stayed + 3 freed seats; 8 - 3 wait
