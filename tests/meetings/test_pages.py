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
