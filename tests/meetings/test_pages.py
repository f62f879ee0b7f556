"""Meetings on the web and in search: the network's list and a meeting's page in each
language, answering without JavaScript, `type=meetings` for readers only, and the RSVPs
in "your data"."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.models import Meeting, Rsvp
from tests.factories.directory import SearchBackend
from tests.factories.search import found, word
from tests.factories.users import client_for
from tests.meetings.test_meetings_api import LINK, create


@pytest.fixture
def meeting(db: Any, api: Any, public_network: Any, moderator: Any) -> Meeting:
    return Meeting.objects.get(pk=create(api, moderator, public_network).json()["id"])


@pytest.mark.parametrize(
    ("lang", "heading", "going"),
    [
        ("en", "Meetings to come", "Going"),
        ("fr", "Réunions à venir", "J’y vais"),
        ("ar", "اللقاءات القادمة", "سأحضر"),
    ],
)
def test_the_list_and_the_page_in_each_language_and_answering(
    meeting: Meeting, client: Any, member: Any, lang: str, heading: str, going: str
) -> None:
    client.force_login(member)
    client.cookies["django_language"] = lang
    listing = client.get("/networks/germany/meetings/").content.decode()
    assert heading in listing and meeting.title in listing
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert going in page and LINK not in page  # the link waits for a seat
    answered = client.post(f"/meetings/{meeting.pk}/rsvp/", {"status": "going"}, follow=True)
    assert Rsvp.objects.get(meeting=meeting, user=member).status == "going"
    assert LINK in answered.content.decode()


def test_the_page_is_missing_to_outsiders_of_a_private_network(
    db: Any, api: Any, private_network: Any, moderator: Any, outsider: Any, client: Any
) -> None:
    made = create(api, moderator, private_network).json()
    client.force_login(outsider)
    assert client.get(f"/meetings/{made['id']}/").status_code == 404
    assert client.get("/networks/medical/meetings/").status_code == 404
    assert client.post(f"/meetings/{made['id']}/rsvp/", {"status": "going"}).status_code == 404


def test_meetings_are_found_by_readers_and_never_by_their_link(
    backend: SearchBackend,
    api: Any,
    public_network: Any,
    private_network: Any,
    moderator: Any,
    outsider: Any,
) -> None:
    open_word, closed_word = word(), word()
    public = create(api, moderator, public_network, title=f"Soirée {open_word}").json()
    create(api, moderator, private_network, title=f"Atelier {closed_word}")
    backend.sync()
    assert found(api, outsider, open_word, type="meetings") == {("meetings", public["id"])}
    assert found(api, outsider, closed_word) == set()
    assert found(api, outsider, "frankfurt-evening") == set()
    api(moderator).delete(f"/api/v1/meetings/{public['id']}/")
    backend.sync()
    assert found(api, outsider, open_word) == set()


def test_your_answers_are_in_your_data(meeting: Meeting, api: Any, member: Any) -> None:
    api(member).post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"status": "maybe"}, format="json")
    archive = client_for(member).get("/api/v1/auth/me/export/").json()
    assert archive["meetings"]["rsvps"][0]["status"] == "maybe"
    assert archive["meetings"]["rsvps"][0]["meeting"] == meeting.pk


def test_an_organiser_announces_edits_checks_in_and_cancels_from_the_pages(
    db: Any, public_network: Any, moderator: Any, member: Any, client: Any
) -> None:
    client.force_login(member)
    assert client.get("/networks/germany/meetings/new/").status_code == 403
    client.force_login(moderator)
    form = {
        "title": "Apéro des ingénieurs",
        "description": "Au **Römer**.",
        "starts_at": "2031-06-12T19:00",
        "ends_at": "2031-06-12T22:00",
        "timezone": "Europe/Berlin",
        "format": "in_person",
        "city": "Frankfurt am Main",
        "country": "DE",
        "capacity": "30",
    }
    bad = client.post("/networks/germany/meetings/new/", {**form, "ends_at": "2031-06-12T18:00"})
    assert bad.status_code == 400 and "The end must come after the start." in bad.content.decode()
    done = client.post("/networks/germany/meetings/new/", form)
    meeting = Meeting.objects.get(title="Apéro des ingénieurs")
    assert done.status_code == 302 and done["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.starts_at.isoformat() == "2031-06-12T17:00:00+00:00"  # 19:00 in Berlin
    page = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert 'value="2031-06-12T19:00"' in page  # shown again in the meeting's own zone
    client.post(f"/meetings/{meeting.pk}/edit/", {**form, "city": "Mainz"})
    assert Meeting.objects.get(pk=meeting.pk).city == "Mainz"
    Rsvp.objects.create(meeting=meeting, user=member, status="going")
    attendees = client.get(f"/meetings/{meeting.pk}/attendees/").content.decode()
    assert "Member" in attendees and "Check in" in attendees
    client.post(f"/meetings/{meeting.pk}/check-in/", {"user_id": member.pk})
    assert Rsvp.objects.get(meeting=meeting, user=member).checked_in_at is not None
    client.post(f"/meetings/{meeting.pk}/cancel/")
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    client.force_login(member)
    assert client.get(f"/meetings/{meeting.pk}/attendees/").status_code == 403


@pytest.mark.parametrize(
    ("lang", "month_name", "first_day"),
    [("en", "March 2031", "Sun"), ("fr", "mars 2031", "lun"), ("ar", "مارس 2031", None)],
)
def test_the_month_calendar_in_each_language(
    db: Any,
    api: Any,
    public_network: Any,
    moderator: Any,
    member: Any,
    client: Any,
    lang: str,
    month_name: str,
    first_day: str | None,
) -> None:
    create(
        api,
        moderator,
        public_network,
        title="Webinaire Marrakech",
        starts_at="2031-03-15T18:00:00",
        ends_at="2031-03-15T20:00:00",
        timezone="Africa/Casablanca",
    )
    client.force_login(member)
    client.cookies["django_language"] = lang
    page = client.get("/networks/germany/meetings/calendar/?month=2031-03").content.decode()
    assert month_name in page and "Webinaire Marrakech" in page
    if first_day:
        assert page.index("<th") < page.index(first_day) < page.index("</tr>")
    fallback = client.get("/networks/germany/meetings/calendar/?month=2031-13")
    assert fallback.status_code == 200  # an impossible month: this one instead


def test_the_audit_log_names_meeting_actions_and_links_the_meeting(
    meeting: Meeting, api: Any, moderator: Any, member: Any, client: Any
) -> None:
    api(member).post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"status": "going"}, format="json")
    url = f"/api/v1/meetings/{meeting.pk}/"
    api(moderator).post(url + "check-in/", {"user_id": member.pk}, format="json")
    api(moderator).delete(url)
    client.force_login(moderator)
    client.cookies["django_language"] = "fr"
    log = client.get("/networks/germany/manage/audit/").content.decode()
    for code in ("meeting.create", "meeting.cancel", "meeting.check_in"):
        assert code not in log
    assert f'href="/meetings/{meeting.pk}/"' in log
