"""iCalendar out of meetings: it parses, keeps its UID, grows its SEQUENCE, says when it is
cancelled, keeps the wall-clock time across a daylight-saving change, and a network's
feed shows only what the token's owner may read now."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from icalendar import Calendar

from meetings.models import Meeting
from tests.factories.users import client_for
from tests.meetings.test_meetings_api import LINK, create, rsvp

MONTREAL = zoneinfo.ZoneInfo("America/Montreal")


def events(body: bytes) -> list[Any]:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def shows_link(body: bytes) -> bool:
    """Whether any event names the video link (read parsed: long lines are folded)."""
    return any(
        LINK in str(e.get("description", "")) or LINK in str(e.get("location", ""))
        for e in events(body)
    )


def test_one_meeting_round_trips_across_the_march_change(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    # The clocks go forward in Montréal on 14 March 2027; the meeting is the day after.
    made = create(
        api,
        moderator,
        public_network,
        title="Aviation au Canada",
        starts_at="2027-03-15T18:30:00",
        ends_at="2027-03-15T21:00:00",
        timezone="America/Montreal",
    ).json()
    response = api(member).get(f"/api/v1/meetings/{made['id']}/ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = events(response.content)
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and str(event["dtstart"].params["TZID"]) == "America/Montreal"
    assert start.astimezone(MONTREAL).hour == 18 and start.utcoffset() == dt.timedelta(hours=-4)
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 3, 15, 22, 30, tzinfo=dt.UTC)
    assert b"BEGIN:VTIMEZONE" in response.content
    assert str(event["uid"]).startswith(f"meeting-{made['id']}@")
    assert str(event["url"]).endswith(f"/meetings/{made['id']}/")
    assert int(event["sequence"]) == 0 and str(event["status"]) == "CONFIRMED"
    assert not shows_link(response.content)  # not going: no link


def test_sequence_grows_and_cancellation_shows(
    db: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    made = create(api, moderator, public_network).json()
    url = f"/api/v1/meetings/{made['id']}/"
    uid = str(events(api(moderator).get(url + "ics").content)[0]["uid"])
    api(moderator).patch(url, {"city": "Mainz"}, format="json")
    (changed,) = events(api(moderator).get(url + "ics").content)
    assert int(changed["sequence"]) == 1 and str(changed["uid"]) == uid
    assert LINK in str(changed["description"])  # the organiser sees the link
    api(moderator).delete(url)
    (cancelled,) = events(api(moderator).get(url + "ics").content)
    assert str(cancelled["status"]) == "CANCELLED" and int(cancelled["sequence"]) == 2


def test_a_public_feed_needs_no_token_a_private_one_needs_a_readers(
    db: Any,
    api: Any,
    public_network: Any,
    private_network: Any,
    moderator: Any,
    member: Any,
    outsider: Any,
) -> None:
    public = create(api, moderator, public_network, title="Ouverte").json()
    private = create(api, moderator, private_network, title="Confidentielle").json()
    anonymous = client_for(None)
    feed = anonymous.get(f"/api/v1/networks/{public_network.slug}/calendar.ics")
    assert feed.status_code == 200
    assert [str(e["summary"]) for e in events(feed.content)] == ["Ouverte"]
    assert not shows_link(feed.content)
    closed = f"/api/v1/networks/{private_network.slug}/calendar.ics"
    assert anonymous.get(closed).status_code == 404
    token = api(member).get("/api/v1/calendar-token/").json()
    assert token["feeds"][private_network.slug].endswith(f"calendar.ics?token={token['token']}")
    mine = anonymous.get(closed, {"token": token["token"]})
    assert [str(e["summary"]) for e in events(mine.content)] == ["Confidentielle"]
    rsvp(api, member, Meeting.objects.get(pk=private["id"]))
    assert not shows_link(mine.content)
    assert shows_link(anonymous.get(closed, {"token": token["token"]}).content)
    outsiders = api(outsider).get("/api/v1/calendar-token/").json()["token"]
    assert anonymous.get(closed, {"token": outsiders}).status_code == 404
    for wrong in ("", "x", f"{member.pk}-deadbeef", "9" * 30 + "-00", token["token"] + "0"):
        if wrong:
            assert anonymous.get(closed, {"token": wrong}).status_code == 404
    assert public  # the public meeting is in no private feed
    assert "Ouverte" not in mine.content.decode()


def test_a_revoked_token_and_a_banned_members_token_are_missing_feeds(
    db: Any, api: Any, private_network: Any, moderator: Any, member: Any
) -> None:
    create(api, moderator, private_network)
    closed = f"/api/v1/networks/{private_network.slug}/calendar.ics"
    old = api(member).get("/api/v1/calendar-token/").json()["token"]
    new = api(member).delete("/api/v1/calendar-token/").json()["token"]
    assert new != old
    anonymous = client_for(None)
    assert anonymous.get(closed, {"token": old}).status_code == 404
    assert anonymous.get(closed, {"token": new}).status_code == 200
    url = f"/api/v1/networks/{private_network.slug}/members/{member.pk}/ban/"
    assert api(moderator).post(url, {"reason": "spam"}, format="json").status_code == 200
    assert anonymous.get(closed, {"token": new}).status_code == 404
