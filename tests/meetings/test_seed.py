"""The meetings seed step: a past evening, a full one with a waitlist and a webinar in
each network, through the actions; seeding twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.models import Meeting, Rsvp
from meetings.seed import seed_meetings
from notifications.models import Notification
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def test_seed_makes_past_full_and_online_meetings_once(
    public_network: Any, owner: Any, member: Any
) -> None:
    people = [owner, member, *(make_user() for _ in range(4))]
    for person in people[2:]:
        add_member(public_network, person)
    made, answers = seed_meetings([public_network], {"germany": people})
    assert made == 3 and answers == 8
    past, full, online = Meeting.objects.filter(network=public_network).order_by("starts_at")
    assert past.has_started() and not Rsvp.objects.filter(meeting=past).exists()
    assert (full.going_count, full.waitlist_count) == (2, 3)
    assert full.timezone == "Europe/Berlin" and full.city == "Frankfurt am Main"
    assert online.format == "online" and online.online_url.startswith("https://")
    # Only what is to come was announced.
    announced = set(
        Notification.objects.filter(kind="meeting_new").values_list("target_id", flat=True)
    )
    assert announced == {full.pk, online.pk}
    assert seed_meetings([public_network], {"germany": people}) == (0, 0)
