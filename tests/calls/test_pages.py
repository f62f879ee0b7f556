"""Calls on the web: the network's list, a call's page and "my applications" in each
language; applying without JavaScript, with the actions' refusals next to the form; the
poster's dashboard (matches with their reasons, the decisions, the outcome, the CSV),
missing to everyone else; posting, publishing and closing from the pages; the network's
record on its home page; a list whose queries do not grow with its calls."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import Application, Call
from directory.actions import do_update_profile
from tests.factories.calls import apply, decide, open_call
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(api: Any, public_network: Any, moderator: Any) -> Call:
    return open_call(api, moderator, public_network, message_required=True, positions=1)


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("lang", "heading", "send", "mine", "dir_"),
    [
        ("en", "Open calls", "Send my application", "My applications", "ltr"),
        ("fr", "Appels ouverts", "Envoyer ma candidature", "Mes candidatures", "ltr"),
        ("ar", "النداءات المفتوحة", "إرسال ترشيحي", "ترشيحاتي", "rtl"),
    ],
)
def test_the_list_the_call_and_my_applications_in_each_language(
    call: Call,
    client: Any,
    member: Any,
    lang: str,
    heading: str,
    send: str,
    mine: str,
    dir_: str,
) -> None:
    client.force_login(member)
    client.cookies["django_language"] = lang
    listing = text(client.get("/networks/germany/calls/"))
    assert heading in listing and call.title in listing and f'dir="{dir_}"' in listing
    assert f'href="/calls/{call.pk}/"' in listing
    page = client.get(f"/calls/{call.pk}/")
    assert page.status_code == 200 and send in text(page) and f'dir="{dir_}"' in text(page)
    assert 'name="message"' in text(page) and "<strong>formation</strong>" in text(page)
    mine_page = text(client.get("/my/applications/"))
    assert mine in mine_page and f'dir="{dir_}"' in mine_page


def test_a_member_applies_without_javascript_sees_the_status_and_withdraws(
    call: Call, client: Any, member: Any, moderator: Any
) -> None:
    client.force_login(member)
    sent = client.post(
        f"/calls/{call.pk}/apply/",
        {"message": "Cardiologue pédiatre, disponible en mars.", "available_from": "2027-03-01"},
    )
    assert sent.status_code == 302 and sent["Location"] == f"/calls/{call.pk}/"
    application = Application.objects.get(call=call, applicant=member)
    assert application.status == "submitted" and str(application.available_from) == "2027-03-01"
    page = text(client.get(f"/calls/{call.pk}/"))
    assert "Your application" in page and "Submitted" in page and 'name="message"' not in page
    listed = text(client.get("/my/applications/"))
    assert call.title in listed and "Submitted" in listed
    client.post(f"/calls/{call.pk}/withdraw/", {"next": "/my/applications/"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert "Withdrawn" in text(client.get("/my/applications/"))


def test_the_actions_refusals_show_next_to_the_apply_form(
    call: Call, api: Any, client: Any, member: Any, moderator: Any
) -> None:
    client.force_login(member)
    client.cookies["django_language"] = "fr"
    empty = client.post(f"/calls/{call.pk}/apply/", {"message": "  "})
    assert empty.status_code == 400
    assert 'id="id_message_errors"' in text(empty)  # next to the message field
    assert "Cet appel demande un message" in text(empty)
    assert not Application.objects.exists()
    assert client.post(f"/calls/{call.pk}/apply/", {"message": "Moi."}).status_code == 302
    again = client.post(f"/calls/{call.pk}/apply/", {"message": "Encore moi."})
    assert again.status_code == 400 and "Vous avez déjà postulé à cet appel." in text(again)
    assert Application.objects.count() == 1
    other = make_user()
    add_member(call.network, other)
    api(moderator).post(f"/api/v1/calls/{call.pk}/close/", {"outcome": "closed"}, format="json")
    client.force_login(other)
    closed = client.post(f"/calls/{call.pk}/apply/", {"message": "Trop tard ?"})
    assert closed.status_code == 400 and "form-errors" in text(closed)
    assert "Cet appel ne prend plus de candidatures." in text(closed)
    assert 'name="message"' not in text(client.get(f"/calls/{call.pk}/"))


def test_pages_of_a_private_network_are_missing_to_outsiders_and_the_dashboard_to_members(
    api: Any,
    call: Call,
    private_network: Any,
    moderator: Any,
    member: Any,
    outsider: Any,
    client: Any,
) -> None:
    hidden = open_call(api, moderator, private_network)
    client.force_login(outsider)
    assert client.get(f"/calls/{hidden.pk}/").status_code == 404
    assert client.get("/networks/medical/calls/").status_code == 404
    assert client.post(f"/calls/{hidden.pk}/apply/", {"message": "x"}).status_code == 404
    client.force_login(member)
    application_id = apply(api, member, call).json()["id"]
    assert client.get(f"/calls/{call.pk}/manage/").status_code == 404
    assert client.get(f"/calls/{call.pk}/edit/").status_code == 404
    refused = client.post(
        f"/applications/{application_id}/decide/", {"call": call.pk, "action": "accept"}
    )
    assert refused.status_code == 404
    assert Application.objects.get(pk=application_id).status == "submitted"
    assert client.get("/networks/germany/calls/new/").status_code == 403
    assert "Applications and matches" not in text(client.get(f"/calls/{call.pk}/"))


def test_the_dashboard_shows_matches_with_reasons_and_the_poster_decides_and_records(
    database_only: Any, api: Any, public_network: Any, moderator: Any, member: Any, client: Any
) -> None:
    do_update_profile(
        member,
        member,
        {
            "open_to_calls": True,
            "country": "DE",
            "sectors": ["health"],
            "skills": ["cardiology"],
            "languages": ["fr"],
            # A field kept private never shows as a reason.
            "visibility": {"languages": "private"},
        },
    )
    call = open_call(api, moderator, public_network, positions=1)
    application_id = apply(api, member, call).json()["id"]
    client.force_login(moderator)
    page = text(client.get(f"/calls/{call.pk}/manage/"))
    assert 'data-testid="matches"' in page and "Sector: Health" in page
    assert "Skill: cardiology" in page and "Lives in Germany" in page
    assert "Speaks French" not in page  # private: not a reason the poster may read
    assert f'href="/api/v1/calls/{call.pk}/applications.csv"' in page
    assert 'value="shortlist"' in page and f'name="call" value="{call.pk}"' in page
    csv = client.get(f"/api/v1/calls/{call.pk}/applications.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "member" in csv.content.decode()
    url = f"/applications/{application_id}/decide/"
    listed = client.post(url, {"call": call.pk, "action": "shortlist"})
    assert listed.status_code == 302 and listed["Location"] == f"/calls/{call.pk}/manage/"
    assert Application.objects.get(pk=application_id).status == "shortlisted"
    # A form that says another call is refused, and changes nothing.
    other = open_call(api, moderator, public_network, title="Autre appel")
    client.post(url, {"call": other.pk, "action": "accept"})
    assert Application.objects.get(pk=application_id).status == "shortlisted"
    assert "This application is to another call." in text(client.get(f"/calls/{other.pk}/"))
    client.post(url, {"call": call.pk, "action": "accept"})
    call.refresh_from_db()
    assert call.status == "filled" and call.accepted_count == 1
    page = text(client.get(f"/calls/{call.pk}/manage/"))
    prefix = f"outcome-{application_id}"
    assert f'name="{prefix}-days"' in page
    bad = client.post(
        f"/applications/{application_id}/outcome/",
        {f"{prefix}-status": "completed", f"{prefix}-days": "99999"},
    )
    assert bad.status_code == 400 and f'id="id_{prefix}-days_errors"' in text(bad)
    done = client.post(
        f"/applications/{application_id}/outcome/",
        {f"{prefix}-status": "completed", f"{prefix}-days": "12", f"{prefix}-feedback": "Bien."},
    )
    assert done.status_code == 302
    recorded = Application.objects.get(pk=application_id)
    assert (recorded.outcome, recorded.outcome_days) == ("completed", 12)
    home = text(client.get("/networks/germany/"))
    assert 'data-testid="call-record"' in home and "Mission days" in home
    client.force_login(member)
    assert "Accepted" in text(client.get(f"/calls/{call.pk}/"))


def test_a_poster_drafts_publishes_edits_and_closes_from_the_pages(
    public_network: Any, moderator: Any, client: Any
) -> None:
    client.force_login(moderator)
    assert client.get("/networks/germany/calls/new/").status_code == 200
    form = {
        "title": "Enseignants invités en aérospatiale",
        "kind": "teaching",
        "summary": "Un semestre à Fès.",
        "body": "Cours **à distance**.",
        "sectors": ["aerospace", "teaching"],
        "skills": "avionics, machine learning",
        "languages": ["fr", "en"],
        "countries": ["DE", "FR"],
        "remote": "on",
        "moroccan_region": "fes-meknes",
        "duration_days": "90",
        "deadline": "2031-06-30",
        "positions": "3",
    }
    past = client.post("/networks/germany/calls/new/", {**form, "deadline": "2020-01-01"})
    assert past.status_code == 400 and 'id="id_deadline_errors"' in text(past)
    assert "The deadline must be in the future." in text(past)
    few = client.post("/networks/germany/calls/new/", {**form, "positions": "0"})
    assert few.status_code == 400 and 'id="id_positions_errors"' in text(few)
    assert not Call.objects.exists()
    made = client.post("/networks/germany/calls/new/", form)
    call = Call.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/calls/{call.pk}/manage/"
    assert call.status == "draft" and call.skills == ["avionics", "machine learning"]
    assert call.countries == ["DE", "FR"] and call.remote and call.positions == 3
    assert 'value="2031-06-30"' in text(client.get(f"/calls/{call.pk}/edit/"))
    client.post(f"/calls/{call.pk}/edit/", {**form, "title": "Enseignants invités (Fès)"})
    assert Call.objects.get(pk=call.pk).title == "Enseignants invités (Fès)"
    published = client.post(f"/calls/{call.pk}/publish/")
    assert published.status_code == 302 and Call.objects.get(pk=call.pk).status == "open"
    again = client.post(f"/calls/{call.pk}/publish/", follow=True)
    assert "This cannot be done in its current state." in text(again)
    client.post(f"/calls/{call.pk}/close/", {"outcome": "closed"})
    assert Call.objects.get(pk=call.pk).status == "closed"
    assert call.title not in text(client.get("/networks/germany/calls/"))
    assert "Enseignants invités" in text(client.get("/networks/germany/calls/?status=closed"))


def test_the_list_filters_by_kind_and_sector(
    api: Any, public_network: Any, moderator: Any, member: Any, client: Any
) -> None:
    health = open_call(api, moderator, public_network, title="Mission santé")
    mentoring = open_call(
        api,
        moderator,
        public_network,
        title="Mentorat numérique",
        kind="mentoring",
        sectors=["ict"],
    )
    client.force_login(member)
    by_kind = text(client.get("/networks/germany/calls/?kind=mentoring"))
    assert mentoring.title in by_kind and health.title not in by_kind
    by_sector = text(client.get("/networks/germany/calls/?sector=health"))
    assert health.title in by_sector and mentoring.title not in by_sector
    unknown = client.get("/networks/germany/calls/?kind=nonsense")
    assert unknown.status_code == 200  # a bad filter: the open calls


def _list_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/networks/germany/calls/").status_code == 200
    return len(queries)


def test_the_list_makes_as_many_queries_for_ten_calls_as_for_three(
    api: Any, public_network: Any, moderator: Any, member: Any, client: Any
) -> None:
    made = [open_call(api, moderator, public_network, title=f"Appel {i}") for i in range(10)]
    for call in made[:3]:
        apply(api, member, call)
    client.force_login(member)
    _list_queries(client)  # sessions, content types and caches warmed
    Call.objects.filter(pk__in=[c.pk for c in made[3:]]).update(status="cancelled")
    three = _list_queries(client)
    Call.objects.filter(pk__in=[c.pk for c in made[3:]]).update(status="open")
    ten = _list_queries(client)
    assert three == ten
    assert text(client.get("/networks/germany/calls/")).count('data-testid="call-') == 10


def test_the_network_home_shows_the_record_to_readers(
    api: Any, public_network: Any, moderator: Any, member: Any, client: Any
) -> None:
    call = open_call(api, moderator, public_network, positions=1)
    application_id = apply(api, member, call).json()["id"]
    decide(api, moderator, application_id, "accept")
    api(moderator).post(
        f"/api/v1/applications/{application_id}/outcome/",
        {"status": "completed", "days": 14},
        format="json",
    )
    client.force_login(member)
    client.cookies["django_language"] = "ar"
    home = text(client.get("/networks/germany/"))
    record = home[home.index('data-testid="call-record"') :]
    record = record[: record.index("</section>")]
    assert "أيام المهام" in record  # "Mission days", in Arabic
    assert [f"<strong>{n}</strong>" in record for n in (1, 14)] == [True, True]
    assert 'href="/networks/germany/calls/"' in record


@pytest.mark.parametrize(
    ("lang", "dir_", "heading"), [("en", "ltr", "Post a call"), ("ar", "rtl", "نشر نداء")]
)
def test_the_posters_pages_in_each_direction(
    call: Call, client: Any, moderator: Any, lang: str, dir_: str, heading: str
) -> None:
    client.force_login(moderator)
    client.cookies["django_language"] = lang
    for url in (
        f"/calls/{call.pk}/manage/",
        f"/calls/{call.pk}/edit/",
        "/networks/germany/calls/new/",
    ):
        page = client.get(url)
        assert page.status_code == 200 and f'dir="{dir_}"' in text(page), url
    assert heading in text(client.get("/networks/germany/calls/new/"))


def test_an_edit_on_the_page_keeps_a_deadline_it_does_not_change(
    api: Any, public_network: Any, moderator: Any, client: Any
) -> None:
    call = open_call(api, moderator, public_network, deadline="2031-06-30T14:00:00Z")
    client.force_login(moderator)
    page = text(client.get(f"/calls/{call.pk}/edit/"))
    assert 'value="2031-06-30"' in page
    form = {
        "title": "Cardiologue pédiatrique (Oujda)",
        "kind": call.kind,
        "summary": call.summary,
        "body": call.body,
        "sectors": call.sectors,
        "skills": ", ".join(call.skills),
        "languages": call.languages,
        "countries": call.countries,
        "moroccan_region": call.moroccan_region,
        "duration_days": str(call.duration_days),
        "deadline": "2031-06-30",
        "positions": str(call.positions),
    }
    saved = client.post(f"/calls/{call.pk}/edit/", form)
    assert saved.status_code == 302, text(saved)
    call.refresh_from_db()
    assert call.title == "Cardiologue pédiatrique (Oujda)"
    assert call.deadline.isoformat() == "2031-06-30T14:00:00+00:00"
