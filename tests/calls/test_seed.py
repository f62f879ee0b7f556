"""The calls seed step: in each network open calls, a past call and a filled one,
with applications in every status and an outcome recorded, through the actions; members
open to calls so the dashboard has matches; seeding twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from calls import queries
from calls.matching import best_matches
from calls.models import Application, Call
from calls.seed import seed_calls
from community.queries import first_moderator
from directory.actions import do_update_profile
from directory.models import Profile
from notifications.models import Notification
from tests.factories.networks import add_member, make_network
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def test_seed_makes_open_past_and_filled_calls_with_every_status_once(
    database_only: Any, public_network: Any, owner: Any, moderator: Any, member: Any
) -> None:
    people = [owner, moderator, member, *(make_user() for _ in range(6))]
    for person in people[3:]:
        add_member(public_network, person)
    for person in people:
        do_update_profile(person, person, {"country": "DE", "languages": ["ar", "fr"]})
    made, applied = seed_calls([public_network], {"germany": people})
    assert made == 4 and applied == 11
    rows = Call.objects.filter(network=public_network).order_by("id")
    assert [c.status for c in rows] == ["open", "closed", "filled", "open"]
    calls = {c.status: c for c in reversed(rows)}
    mission = calls["open"]
    assert mission.published_at is not None and mission.deadline > mission.published_at
    assert mission.countries == ["DE"]
    assert mission.poster == first_moderator(public_network) and mission.sectors
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "shortlisted", "accepted", "declined", "withdrawn"}
    done = Application.objects.get(call=calls["filled"], status="accepted")
    assert (done.outcome, done.outcome_days) == ("completed", 24)
    assert calls["filled"].accepted_count == calls["filled"].positions == 1
    # Members said they are open to calls, so the poster's dashboard has matches.
    assert Profile.objects.filter(open_to_calls=True).exclude(availability="").count() == 6
    assert best_matches(mission, mission.poster, 10)
    assert Notification.objects.filter(kind="call_match").exists()
    assert queries.record(public_network) == {
        "calls_published": 4,
        "applications": 11,
        "people_mobilised": 2,
        "mission_days": 24,
    }
    assert seed_calls([public_network], {"germany": people}) == (0, 0)
    assert Call.objects.count() == 4


def test_a_network_without_a_moderator_gets_no_call(db: Any) -> None:
    network = make_network(make_user())
    network.memberships.all().delete()
    assert seed_calls([network], {network.slug: []}) == (0, 0)
