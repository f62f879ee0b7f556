"""Calls over REST: drafting, publishing, applying once, the decisions and their
notifications, filling the positions, the outcome and the network's record."""

from __future__ import annotations

from typing import Any

import pytest

from calls.models import Application, Call
from calls.queries import record
from community.models import AuditEntry
from notifications.models import Notification
from tests.factories.calls import apply, call_body, create, decide, open_call
from tests.factories.networks import add_member
from tests.factories.users import make_user


@pytest.fixture
def call(db: Any, api: Any, public_network: Any, moderator: Any) -> Call:
    return open_call(api, moderator, public_network)


def test_a_call_is_drafted_then_published(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    created = create(api, moderator, public_network)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft"
    assert data["poster"]["username"] == moderator.username
    assert "<strong>formation</strong>" in data["body_html"]
    assert data["deadline"].startswith(call_body()["deadline"][:10])
    # A draft is its managers' alone: missing to members, absent from the list.
    assert api(member).get(f"/api/v1/calls/{data['id']}/").status_code == 404
    listed = api(member).get(f"/api/v1/networks/{public_network.slug}/calls/").json()
    assert listed["results"] == []
    published = api(moderator).post(f"/api/v1/calls/{data['id']}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "open"
    listed = api(member).get(f"/api/v1/networks/{public_network.slug}/calls/").json()
    assert [c["id"] for c in listed["results"]] == [data["id"]]
    assert listed["results"][0]["my_application"] is None
    actions = set(
        AuditEntry.objects.filter(network=public_network).values_list("action", flat=True)
    )
    assert {"call.create", "call.publish"} <= actions


def test_a_member_applies_once_and_the_poster_hears_of_it(
    db: Any, api: Any, call: Call, moderator: Any, member: Any
) -> None:
    first = apply(
        api,
        member,
        call,
        message="Cardiologue pédiatre à Montréal.",
        available_from="2027-03-01",
        available_to="2027-03-14",
    )
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "submitted"
    second = apply(api, member, call)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_applied"
    assert Application.objects.filter(call=call).count() == 1
    call.refresh_from_db()
    assert call.applications_count == 1
    told = Notification.objects.get(recipient=moderator, kind="application")
    assert told.target_type == "call" and told.target_id == call.pk
    mine = api(member).get(f"/api/v1/calls/{call.pk}/").json()["my_application"]
    assert mine["status"] == "submitted"
    listed = api(member).get("/api/v1/my/applications/").json()["results"]
    assert [(a["call"]["id"], a["status"]) for a in listed] == [(call.pk, "submitted")]


def test_decisions_notify_the_applicant_and_the_last_position_fills_the_call(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network, positions=2)
    other = make_user("applicant2")
    add_member(public_network, other)
    ids = [apply(api, u, call).json()["id"] for u in (member, other)]
    assert decide(api, moderator, ids[0], "shortlist").json()["status"] == "shortlisted"
    assert decide(api, moderator, ids[0], "accept").json()["status"] == "accepted"
    call.refresh_from_db()
    assert (call.status, call.accepted_count) == ("open", 1)
    assert decide(api, moderator, ids[1], "accept").status_code == 200
    call.refresh_from_db()
    assert (call.status, call.accepted_count) == ("filled", 2)
    decisions = Notification.objects.filter(kind="application_decision").order_by("id")
    assert [(n.recipient_id, n.data["decision"]) for n in decisions] == [
        (member.pk, "shortlist"),
        (member.pk, "accept"),
        (other.pk, "accept"),
    ]
    # Filled: no more applications.
    late = make_user("late")
    add_member(public_network, late)
    refused = apply(api, late, call)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "call_closed"


def test_the_outcome_is_recorded_after_acceptance_and_counts_in_the_record(
    db: Any, api: Any, call: Call, public_network: Any, moderator: Any, member: Any
) -> None:
    application_id = apply(api, member, call).json()["id"]
    url = f"/api/v1/applications/{application_id}/outcome/"
    early = api(moderator).post(url, {"status": "completed", "days": 14}, format="json")
    assert early.status_code == 409
    assert early.json()["error"]["fields"]["allowed"] == []
    decide(api, moderator, application_id, "accept")
    done = api(moderator).post(
        url, {"status": "completed", "days": 14, "feedback": "Très utile."}, format="json"
    )
    assert done.status_code == 200, done.content
    assert (done.json()["outcome"], done.json()["outcome_days"]) == ("completed", 14)
    # The applicant may not record it.
    assert api(member).post(url, {"status": "not_completed"}, format="json").status_code == 404
    assert record(public_network) == {
        "calls_published": 1,
        "applications": 1,
        "people_mobilised": 1,
        "mission_days": 14,
    }


def test_withdrawing_is_the_applicants_and_ends_the_application(
    db: Any, api: Any, call: Call, moderator: Any, member: Any
) -> None:
    application_id = apply(api, member, call).json()["id"]
    assert decide(api, moderator, application_id, "withdraw").status_code == 404
    withdrawn = decide(api, member, application_id, "withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    refused = decide(api, moderator, application_id, "accept")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["fields"]["allowed"] == []
    # Withdrawn is final: applying again is still the second application.
    assert apply(api, member, call).status_code == 409


def test_publishing_twice_and_closing_a_closed_call_are_conflicts(
    db: Any, api: Any, call: Call, moderator: Any
) -> None:
    again = api(moderator).post(f"/api/v1/calls/{call.pk}/publish/")
    assert again.status_code == 409
    assert again.json()["error"]["fields"]["allowed"] == ["closed", "filled", "cancelled"]
    close = f"/api/v1/calls/{call.pk}/close/"
    assert api(moderator).post(close, {"outcome": "closed"}, format="json").status_code == 200
    twice = api(moderator).post(close, {"outcome": "closed"}, format="json")
    assert twice.status_code == 409
    # Filled needs someone accepted: a call nobody was accepted to can only be cancelled.
    assert twice.json()["error"]["fields"]["allowed"] == ["cancelled"]
    bad = api(moderator).post(close, {"outcome": "finished"}, format="json")
    assert bad.status_code == 400
    assert "outcome" in bad.json()["error"]["fields"]


def test_a_decision_names_its_call_and_refuses_an_application_of_another(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    first = open_call(api, moderator, public_network)
    second = open_call(api, moderator, public_network, title="Mentors pour des start-up")
    application_id = apply(api, member, first).json()["id"]
    wrong = decide(api, moderator, application_id, "accept", call=second.pk)
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "other_call"
    assert Application.objects.get(pk=application_id).status == "submitted"
    assert decide(api, moderator, application_id, "accept", call=first.pk).status_code == 200


def test_leaving_the_network_withdraws_pending_applications(
    db: Any, api: Any, call: Call, member: Any
) -> None:
    application_id = apply(api, member, call).json()["id"]
    left = api(member).post(f"/api/v1/networks/{call.network.slug}/leave/")
    assert left.status_code in (200, 204), left.content
    assert Application.objects.get(pk=application_id).status == "withdrawn"


def test_closed_calls_leave_the_default_list_but_are_listed_by_status(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    kept = open_call(api, moderator, public_network)
    closed = open_call(api, moderator, public_network, title="Ancien appel")
    api(moderator).post(f"/api/v1/calls/{closed.pk}/close/", {"outcome": "closed"}, format="json")
    url = f"/api/v1/networks/{public_network.slug}/calls/"
    assert [c["id"] for c in api(member).get(url).json()["results"]] == [kept.pk]
    by_status = api(member).get(url, {"status": "closed"}).json()["results"]
    assert [c["id"] for c in by_status] == [closed.pk]
    assert api(member).get(url, {"status": "finished"}).status_code == 400
    assert api(member).get(url, {"kind": "mentoring"}).json()["results"] == []
    assert len(api(member).get(url, {"sector": "health"}).json()["results"]) == 1
    assert api(member).get(url, {"sector": "nope"}).status_code == 400


def test_the_csv_holds_only_what_each_applicant_shows_the_poster(
    db: Any, api: Any, call: Call, public_network: Any, moderator: Any, member: Any
) -> None:
    from tests.factories.directory import make_profile

    make_profile(
        member,
        headline='=HYPERLINK("http://evil")',
        skills=["cardiology"],
        country="CA",
        visibility={"skills": "private", "country": "members"},
    )
    apply(api, member, call)
    response = api(moderator).get(f"/api/v1/calls/{call.pk}/applications.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    header, row = text.splitlines()[:2]
    assert "skills" in header
    assert "cardiology" not in text  # private: not the poster's to see
    assert ",CA," in row  # shared network: co-members see it
    assert "'=HYPERLINK" in row  # a formula stays text
    assert api(member).get(f"/api/v1/calls/{call.pk}/applications.csv").status_code == 404


def test_a_moderation_permission_alone_does_not_manage_others_calls(
    db: Any, api: Any, public_network: Any, owner: Any, moderator: Any, member: Any
) -> None:
    url = f"/api/v1/networks/{public_network.slug}/members/{member.pk}/permissions/"
    grant = {"grant": ["publish_calls", "manage_rooms"]}
    assert api(owner).post(url, grant, format="json").status_code == 200
    draft = create(api, moderator, public_network, title="Brouillon du modérateur").json()
    live = open_call(api, moderator, public_network)
    listed = api(member).get(f"/api/v1/networks/{public_network.slug}/calls/", {"status": "draft"})
    assert listed.json()["results"] == []
    assert api(member).get(f"/api/v1/calls/{draft['id']}/").status_code == 404
    assert api(member).get(f"/api/v1/calls/{live.pk}/applications/").status_code == 404
    # Their own calls they manage.
    mine = open_call(api, member, public_network, title="Appel du partenaire")
    assert api(member).get(f"/api/v1/calls/{mine.pk}/applications/").status_code == 200


def test_no_one_decides_on_their_own_application(
    db: Any, api: Any, call: Call, owner: Any, moderator: Any
) -> None:
    application_id = apply(api, owner, call).json()["id"]
    refused = decide(api, owner, application_id, "accept")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "own_application"
    assert decide(api, moderator, application_id, "accept").status_code == 200


def test_fewer_positions_than_accepted_fill_the_call(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network, positions=2)
    decide(api, moderator, apply(api, member, call).json()["id"], "accept")
    edited = api(moderator).patch(f"/api/v1/calls/{call.pk}/", {"positions": 1}, format="json")
    assert edited.status_code == 200
    assert (edited.json()["status"], edited.json()["accepting_applications"]) == ("filled", False)


def test_an_erased_account_leaves_the_networks_record_as_it_was(
    db: Any, api: Any, call: Call, public_network: Any, moderator: Any, member: Any
) -> None:
    from accounts.deletion import do_delete_account

    application_id = apply(api, member, call).json()["id"]
    decide(api, moderator, application_id, "accept")
    outcome = f"/api/v1/applications/{application_id}/outcome/"
    api(moderator).post(outcome, {"status": "completed", "days": 10}, format="json")
    api(moderator).post(outcome, {"status": "completed", "days": 12}, format="json")
    before = record(public_network)
    assert before["mission_days"] == 12 and before["people_mobilised"] == 1
    do_delete_account(member, "correct horse battery staple", "erase")
    assert not Application.objects.exists()
    assert record(public_network) == before


def test_a_field_error_speaks_the_readers_language(
    db: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    response = api(moderator).post(
        f"/api/v1/networks/{public_network.slug}/calls/",
        call_body(positions=0),
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["positions"] == ["Un nombre entier de 1 à 1000."]
