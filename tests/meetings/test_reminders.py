"""The day-before reminder, with a fake clock: exactly one per person going, none for the
waitlist or a cancelled meeting, again after the meeting moves; said in the reader's
language with the time in their own time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from directory.models import Profile
from meetings import actions, reminders
from meetings.models import Meeting
from notifications.models import Notification
from tests.factories.networks import add_member
from tests.factories.users import make_user

START = dt.datetime(2031, 3, 20, 17, 0, tzinfo=dt.UTC)  # 18:00 in Frankfurt, 13:00 in Montréal


def reminded(user: Any) -> int:
    return Notification.objects.filter(recipient=user, kind="meeting_reminder").count()


def a_meeting(
    network: Any, organizer: Any, start: dt.datetime = START, capacity: int = 2
) -> Meeting:
    return actions.do_create_meeting(
        organizer,
        network,
        {
            "title": "Soirée à Francfort",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
            "timezone": "Europe/Berlin",
            "capacity": capacity,
        },
    )


def test_one_reminder_per_person_going_and_none_for_the_waitlist(
    db: Any, public_network: Any, moderator: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: START - dt.timedelta(days=5))
    meeting = a_meeting(public_network, moderator)
    people = [make_user() for _ in range(3)]
    for user in people:
        add_member(public_network, user)
        actions.do_rsvp(user, meeting, "going")
    assert reminders.send_due(START - dt.timedelta(hours=30)) == 0  # more than a day ahead
    assert reminders.send_due(START - dt.timedelta(hours=23)) == 1
    assert reminders.send_due(START - dt.timedelta(hours=22)) == 0  # never twice
    assert [reminded(u) for u in people] == [1, 1, 0]  # the third is on the waitlist
    assert reminders.send_due(START + dt.timedelta(minutes=1)) == 0  # begun: too late


def test_a_cancelled_meeting_reminds_nobody_and_a_moved_one_reminds_again(
    db: Any, public_network: Any, moderator: Any, member: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: START - dt.timedelta(days=5))
    cancelled = a_meeting(public_network, moderator)
    moved = a_meeting(public_network, moderator)
    for meeting in (cancelled, moved):
        actions.do_rsvp(member, meeting, "going")
    actions.do_cancel_meeting(moderator, cancelled)
    assert reminders.send_due(START - dt.timedelta(hours=23)) == 1
    later = START + dt.timedelta(days=2)
    actions.do_edit_meeting(
        moderator,
        Meeting.objects.get(pk=moved.pk),
        {"starts_at": later.isoformat(), "ends_at": (later + dt.timedelta(hours=2)).isoformat()},
    )
    assert reminders.send_due(later - dt.timedelta(hours=12)) == 1
    assert reminded(member) == 2  # the first time and the new one; none for the cancelled


def test_the_reminder_is_in_the_readers_language_and_time_zone(
    db: Any, public_network: Any, moderator: Any, member: Any, api: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: START - dt.timedelta(days=5))
    Profile.objects.filter(user=member).update(ui_language="fr", timezone="America/Montreal")
    meeting = a_meeting(public_network, moderator)
    actions.do_rsvp(member, meeting, "going")
    reminders.send_due(START - dt.timedelta(hours=20))
    texts = [
        n["text"]
        for n in api(member).get("/api/v1/notifications/").json()["results"]
        if n["kind"] == "meeting_reminder"
    ]
    assert len(texts) == 1
    assert texts[0].startswith("Rappel : « Soirée à Francfort » commence")
    assert "13:00" in texts[0]  # Montréal's time (EDT since 9 March), on a 24-hour clock
