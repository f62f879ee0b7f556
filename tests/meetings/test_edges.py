"""What a second reader found: dates that look right but are not, digits that are not
ASCII, a time zone the machine no longer knows, counts after an account goes, reminders
of an archived network or after an edit that moved nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from meetings import actions, reminders
from meetings.models import Meeting, Rsvp
from notifications.models import Notification
from tests.factories.users import client_for
from tests.meetings.test_meetings_api import create, rsvp


@pytest.mark.parametrize(
    "moment",
    [
        "2027-02-30T10:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "2027-03-01T10:00:00+99:00",
        "9999-12-31T23:59:59-12:00",
        "２０２７-03-01T10:00:00Z",
    ],
)
def test_a_time_that_is_not_one_is_a_400_never_a_500(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any, moment: str
) -> None:
    made = create(api, moderator, public_network, starts_at=moment)
    assert made.status_code == 400 and "starts_at" in made.json()["error"]["fields"]
    url = f"/api/v1/networks/{public_network.slug}/meetings/"
    for name in ("from", "to"):
        listed = api(member).get(url, {name: moment})
        assert listed.status_code == 400, (name, listed.content)


def test_digits_that_are_not_ascii_are_a_404_or_a_400(
    db: Any, api: Any, client: Any, public_network: Any, moderator: Any
) -> None:
    made = create(api, moderator, public_network).json()
    feed = client_for(None).get(
        f"/api/v1/networks/{public_network.slug}/calendar.ics", {"token": "²-abc"}
    )
    assert feed.status_code == 404
    client.force_login(moderator)
    checked = client.post(f"/meetings/{made['id']}/check-in/", {"user_id": "²"})
    assert checked.status_code == 302  # back to the list, with the reason
    month = client.get("/networks/germany/meetings/calendar/", {"month": "²²²²-01"})
    assert month.status_code == 200


def test_a_time_zone_the_machine_no_longer_knows_takes_no_page_down(
    db: Any, api: Any, client: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    made = create(api, moderator, public_network).json()
    Meeting.objects.filter(pk=made["id"]).update(timezone="Mars/Olympus_Mons")
    client.force_login(moderator)
    for path in (
        f"/meetings/{made['id']}/",
        f"/meetings/{made['id']}/edit/",
        "/networks/germany/meetings/",
        f"/api/v1/meetings/{made['id']}/ics",
    ):
        assert client.get(path).status_code == 200, path
    token = api(member).get("/api/v1/calendar-token/").json()["token"]
    feed = f"/api/v1/networks/{public_network.slug}/calendar.ics"
    assert client_for(None).get(feed, {"token": token}).status_code == 200


def test_a_deleted_account_leaves_true_counts_even_on_past_meetings(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    made = create(api, moderator, public_network).json()
    meeting = Meeting.objects.get(pk=made["id"])
    rsvp(api, member, meeting)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2) + dt.timedelta(hours=2),
    )
    body = {"password": "correct horse battery staple", "content": "keep"}
    assert client_for(member).delete("/api/v1/auth/me/", body, format="json").status_code == 204
    meeting.refresh_from_db()
    assert meeting.going_count == 0 and not Rsvp.objects.filter(meeting=meeting).exists()


def test_no_reminder_in_an_archived_network_and_none_again_after_an_edit_that_moves_nothing(
    db: Any, api: Any, client: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    start = timezone.now() + dt.timedelta(hours=10, seconds=37)
    made = create(
        api,
        moderator,
        public_network,
        starts_at=start.isoformat(),
        ends_at=(start + dt.timedelta(hours=2)).isoformat(),
    ).json()
    rsvp(api, member, Meeting.objects.get(pk=made["id"]))
    assert reminders.send_due() == 1
    client.force_login(moderator)
    page = client.get(f"/meetings/{made['id']}/edit/")
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    client.post(f"/meetings/{made['id']}/edit/", {**form, "title": "Nouveau titre"})
    assert Meeting.objects.get(pk=made["id"]).title == "Nouveau titre"
    assert reminders.send_due() == 0
    assert Notification.objects.filter(recipient=member, kind="meeting_update").count() == 0
    other = create(
        api,
        moderator,
        public_network,
        starts_at=start.isoformat(),
        ends_at=(start + dt.timedelta(hours=1)).isoformat(),
    ).json()
    rsvp(api, member, Meeting.objects.get(pk=other["id"]))
    type(public_network).objects.filter(pk=public_network.pk).update(archived=True)
    assert reminders.send_due() == 0


def test_no_check_in_at_a_cancelled_meeting(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    meeting = Meeting.objects.get(pk=create(api, moderator, public_network).json()["id"])
    rsvp(api, member, meeting)
    actions.do_cancel_meeting(moderator, meeting)
    url = f"/api/v1/meetings/{meeting.pk}/check-in/"
    assert api(moderator).post(url, {"user_id": member.pk}, format="json").status_code == 409
