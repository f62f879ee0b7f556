"""Meetings over REST: who may organise and answer, seats and the waitlist, the video link's
audience, bad input, and what leaving a network does to one's answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from meetings.models import Meeting, Rsvp
from notifications.models import Notification
from tests.factories.networks import add_member
from tests.factories.users import make_user

LINK = "https://meet.example.org/frankfurt-evening"


def soon(days: int = 7, hours: int = 0) -> str:
    return (timezone.now() + dt.timedelta(days=days, hours=hours)).isoformat()


def meeting_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Soirée des ingénieurs à Francfort",
        "description": "Un **verre** et des projets.",
        "starts_at": soon(),
        "ends_at": soon(hours=3),
        "timezone": "Europe/Berlin",
        "format": "hybrid",
        "venue": "Café Kranzler",
        "city": "Frankfurt am Main",
        "country": "DE",
        "online_url": LINK,
        "capacity": 2,
    }
    body.update(changes)
    return body


def create(api: Any, user: Any, network: Any, **changes: Any) -> Any:
    return api(user).post(
        f"/api/v1/networks/{network.slug}/meetings/", meeting_body(**changes), format="json"
    )


@pytest.fixture
def meeting(db: Any, api: Any, public_network: Any, moderator: Any) -> Meeting:
    response = create(api, moderator, public_network)
    assert response.status_code == 201, response.content
    return Meeting.objects.get(pk=response.json()["id"])


def rsvp(api: Any, user: Any, meeting: Meeting, status: str = "going") -> Any:
    return api(user).post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"status": status}, format="json")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("moderator", 201), ("owner", 201), ("member", 403), ("outsider", 403), ("banned", 403)],
)
def test_who_may_organise(
    db: Any, api: Any, public_network: Any, persona: Any, status: int, request: Any
) -> None:
    user = request.getfixturevalue(persona)
    assert create(api, user, public_network).status_code == status


def test_a_member_granted_manage_meetings_organises(
    db: Any, api: Any, public_network: Any, owner: Any, member: Any
) -> None:
    url = f"/api/v1/networks/{public_network.slug}/members/{member.pk}/permissions/"
    assert api(owner).post(url, {"grant": ["manage_meetings"]}, format="json").status_code == 200
    assert create(api, member, public_network).status_code == 201


def test_private_and_hidden_meetings_are_missing_to_outsiders(
    db: Any, api: Any, private_network: Any, hidden_network: Any, moderator: Any, outsider: Any
) -> None:
    for network in (private_network, hidden_network):
        made = create(api, moderator, network).json()
        assert api(outsider).get(f"/api/v1/meetings/{made['id']}/").status_code == 404
        listing = api(outsider).get(f"/api/v1/networks/{network.slug}/meetings/")
        assert listing.status_code == 404
        assert rsvp(api, outsider, Meeting.objects.get(pk=made["id"])).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": soon(days=6)}, "ends_at"),
        ({"ends_at": soon(days=30)}, "ends_at"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "UTC+2"}, "timezone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "data:text/html,hi"}, "online_url"),
        ({"online_url": "/relative"}, "online_url"),
        ({"online_url": "http://meet.example.org/x"}, "online_url"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"title": "   "}, "title"),
        ({"format": "telepathy"}, "format"),
        ({"country": "XX"}, "country"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    db: Any, api: Any, public_network: Any, moderator: Any, changes: dict[str, Any], field: str
) -> None:
    response = create(api, moderator, public_network, **changes)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Meeting.objects.exists()


def test_a_time_without_offset_is_read_in_the_meeting_time_zone(
    db: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    made = create(
        api,
        moderator,
        public_network,
        starts_at="2031-03-15T18:00:00",
        ends_at="2031-03-15T20:00:00",
        timezone="America/Montreal",
    ).json()
    assert made["starts_at"] == "2031-03-15T22:00:00Z"  # 18:00 EDT, after the March change


def test_seats_then_the_waitlist_in_order_and_a_freed_seat_goes_to_the_first(
    meeting: Meeting, api: Any, public_network: Any, member: Any, moderator: Any
) -> None:
    others = [make_user() for _ in range(3)]
    for user in others:
        add_member(public_network, user)
    assert rsvp(api, member, meeting).json()["rsvp"] == "going"
    assert rsvp(api, others[0], meeting).json()["rsvp"] == "going"
    first = rsvp(api, others[1], meeting).json()
    assert first == {"rsvp": "waitlisted", "waitlist_position": 1}
    assert rsvp(api, others[2], meeting).json() == {"rsvp": "waitlisted", "waitlist_position": 2}
    detail = api(member).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert (detail["going_count"], detail["waitlist_count"]) == (2, 2)

    assert rsvp(api, member, meeting, "not_going").json()["rsvp"] == "not_going"
    assert Rsvp.objects.get(meeting=meeting, user=others[1]).status == "going"
    assert (
        Notification.objects.filter(
            recipient=others[1], kind="waitlist_promoted", target_id=meeting.pk
        ).count()
        == 1
    )
    moved = api(others[2]).get(f"/api/v1/meetings/{meeting.pk}/").json()["my_rsvp"]
    assert moved == {"status": "waitlisted", "waitlist_position": 1, "checked_in": False}
    # Going twice keeps the seat; the waitlisted asking again keep their place.
    assert rsvp(api, others[1], meeting).json()["rsvp"] == "going"
    assert rsvp(api, others[2], meeting).json() == {"rsvp": "waitlisted", "waitlist_position": 1}


def test_more_seats_promote_the_waitlist_and_fewer_than_going_is_refused(
    meeting: Meeting, api: Any, public_network: Any, moderator: Any
) -> None:
    people = [make_user() for _ in range(4)]
    for user in people:
        add_member(public_network, user)
        rsvp(api, user, meeting)
    url = f"/api/v1/meetings/{meeting.pk}/"
    refused = api(moderator).patch(url, {"capacity": 1}, format="json")
    assert refused.status_code == 400 and "capacity" in refused.json()["error"]["fields"]
    grown = api(moderator).patch(url, {"capacity": 3}, format="json").json()
    assert (grown["going_count"], grown["waitlist_count"]) == (3, 1)


def test_the_link_is_for_organisers_and_people_going_only(
    meeting: Meeting, api: Any, public_network: Any, member: Any, moderator: Any, outsider: Any
) -> None:
    url = f"/api/v1/meetings/{meeting.pk}/"
    assert api(moderator).get(url).json()["online_url"] == LINK
    assert api(member).get(url).json()["online_url"] is None
    rsvp(api, member, meeting)
    assert api(member).get(url).json()["online_url"] == LINK
    waiting = [make_user() for _ in range(2)]
    for user in waiting:
        add_member(public_network, user)
        rsvp(api, user, meeting)
    assert api(waiting[1]).get(url).json()["my_rsvp"]["status"] == "waitlisted"
    assert api(waiting[1]).get(url).json()["online_url"] is None
    assert api(outsider).get(url).json()["online_url"] is None
    listing = api(outsider).get(f"/api/v1/networks/{public_network.slug}/meetings/").json()
    assert [m["online_url"] for m in listing["results"]] == [None]


def test_answers_close_when_the_meeting_begins_or_is_cancelled(
    meeting: Meeting, api: Any, member: Any, moderator: Any, outsider: Any
) -> None:
    assert rsvp(api, outsider, meeting).json()["error"]["code"] == "not_member"
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    past = rsvp(api, member, meeting)
    assert past.status_code == 403 and past.json()["error"]["code"] == "meeting_past"
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() + dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=1, hours=2),
    )
    assert api(moderator).delete(f"/api/v1/meetings/{meeting.pk}/").json()["status"] == "cancelled"
    cancelled = rsvp(api, member, meeting)
    assert cancelled.status_code == 403
    assert cancelled.json()["error"]["code"] == "meeting_cancelled"
    again = api(moderator).patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "x"}, format="json")
    assert again.status_code == 409


def test_leaving_or_a_ban_drops_the_answers_and_frees_the_seat(
    meeting: Meeting, api: Any, public_network: Any, member: Any, moderator: Any
) -> None:
    second, third = make_user(), make_user()
    for user in (second, third):
        add_member(public_network, user)
    rsvp(api, member, meeting)
    rsvp(api, second, meeting)
    rsvp(api, third, meeting)
    assert api(member).post(f"/api/v1/networks/{public_network.slug}/leave/").status_code == 200
    assert not Rsvp.objects.filter(user=member).exists()
    assert Rsvp.objects.get(user=third, meeting=meeting).status == "going"
    url = f"/api/v1/networks/{public_network.slug}/members/{second.pk}/ban/"
    assert api(moderator).post(url, {"reason": "spam"}, format="json").status_code == 200
    assert not Rsvp.objects.filter(user=second).exists()
    assert Meeting.objects.get(pk=meeting.pk).going_count == 1


def test_check_in_at_the_door(
    meeting: Meeting, api: Any, public_network: Any, member: Any, moderator: Any
) -> None:
    url = f"/api/v1/meetings/{meeting.pk}/check-in/"
    assert api(moderator).post(url, {"user_id": member.pk}, format="json").status_code == 409
    rsvp(api, member, meeting)
    assert api(member).post(url, {"user_id": member.pk}, format="json").status_code == 403
    done = api(moderator).post(url, {"user_id": member.pk}, format="json")
    assert done.status_code == 200 and done.json()["checked_in"] is True
    listing = api(moderator).get(f"/api/v1/meetings/{meeting.pk}/attendees/").json()
    assert [(a["user"]["id"], a["rsvp"], a["checked_in"]) for a in listing] == [
        (member.pk, "going", True)
    ]
    assert api(member).get(f"/api/v1/meetings/{meeting.pk}/attendees/").status_code == 403


def test_members_are_told_of_a_new_meeting_and_those_going_of_a_change(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    made = create(api, moderator, public_network).json()
    assert Notification.objects.filter(recipient=member, kind="meeting_new").count() == 1
    assert not Notification.objects.filter(recipient=moderator, kind="meeting_new").exists()
    meeting = Meeting.objects.get(pk=made["id"])
    rsvp(api, member, meeting)
    url = f"/api/v1/meetings/{meeting.pk}/"
    api(moderator).patch(url, {"description": "Nouveau texte"}, format="json")
    assert not Notification.objects.filter(kind="meeting_update").exists()  # not news
    api(moderator).patch(url, {"venue": "Römer"}, format="json")
    update = Notification.objects.get(recipient=member, kind="meeting_update")
    assert update.data["changed"] == ["venue"]
    texts = api(member).get("/api/v1/notifications/").json()["results"]
    assert any(
        "changed" in t["text"] and t["target"]["url"] == f"/meetings/{meeting.pk}/" for t in texts
    )


def test_the_list_is_what_is_to_come_unless_asked_for_the_past(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    past = create(api, moderator, public_network, starts_at=soon(-30), ends_at=soon(-30, 2)).json()
    coming = create(api, moderator, public_network).json()
    url = f"/api/v1/networks/{public_network.slug}/meetings/"
    ids = lambda params: [m["id"] for m in api(member).get(url, params).json()["results"]]  # noqa: E731
    assert ids({}) == [coming["id"]]
    assert ids({"to": soon(30)}) == [coming["id"]]  # `to` alone: still from now on
    assert ids({"from": soon(-60), "to": soon(-1)}) == [past["id"]]
    bad = api(member).get(url, {"from": "yesterday"})
    assert bad.status_code == 400 and "from" in bad.json()["error"]["fields"]
