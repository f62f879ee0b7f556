"""What surrounds a call: search (`type=calls`, readers only, open by default, the rest
with `status=`), the digests, the notifications' words in each reader's language, the
archive of one's data and an account's erasure, and the cost of a page of calls."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import Application, Call
from notifications import digest, preferences
from notifications.models import Notification
from notifications.texts import render
from tests._smtp import text_part
from tests.factories.calls import apply, open_call
from tests.factories.directory import SearchBackend
from tests.factories.networks import add_member, make_network
from tests.factories.search import found, word
from tests.factories.users import client_for
from tests.notifications._mail import later


def test_calls_are_found_by_readers_and_closed_ones_only_by_status(
    backend: SearchBackend,
    api: Any,
    public_network: Any,
    private_network: Any,
    moderator: Any,
    outsider: Any,
) -> None:
    open_word, closed_word, private_word = word(), word(), word()
    public = open_call(api, moderator, public_network, title=f"Mission {open_word}")
    old = open_call(api, moderator, public_network, title=f"Mission {closed_word}")
    open_call(api, moderator, private_network, title=f"Mission {private_word}")
    api(moderator).post(f"/api/v1/calls/{old.pk}/close/", {"outcome": "closed"}, format="json")
    backend.sync()
    assert found(api, outsider, open_word, type="calls") == {("calls", public.pk)}
    assert found(api, outsider, private_word) == set()
    assert found(api, outsider, closed_word) == set()
    assert found(api, outsider, closed_word, status="closed") == {("calls", old.pk)}
    bad = api(outsider).get("/api/v1/search/", {"q": closed_word, "status": "lost"})
    assert bad.status_code == 400


def test_the_digest_lists_open_calls(
    jobs: Any, smtp_sink: Any, api: Any, owner: Any, member: Any
) -> None:
    preferences.do_update_settings(member, {"email": "daily"})
    network = make_network(owner, name="France", slug="france")
    add_member(network, member)
    kept = open_call(api, owner, network, title="Mentors pour Station F")
    cancelled = open_call(api, owner, network, title="Appel annulé")
    api(owner).post(f"/api/v1/calls/{cancelled.pk}/close/", {"outcome": "cancelled"}, format="json")
    assert digest.send_due("daily", now=later(1)) == 1
    jobs.run_pending(now=later(1))
    [message] = smtp_sink.wait_for(1)
    text = text_part(message)
    assert "Mentors pour Station F" in text and f"/calls/{kept.pk}/" in text
    assert "Appel annulé" not in text


def test_the_notifications_speak_the_readers_language(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network)
    apply(api, member, call)
    told = Notification.objects.get(kind="application")
    english = render(told, "Member", "en")
    assert english == f"Member applied to your call “{call.title}”."
    for language in ("fr", "ar"):
        text = render(told, "Member", language)
        assert call.title in text and text != english, (language, text)
    api(moderator).post(f"/api/v1/applications/{Application.objects.get().pk}/accept/")
    decision = Notification.objects.get(kind="application_decision")
    assert render(decision, "Moderator", "en") == (
        f"Your application to “{call.title}” was accepted."
    )
    [listed] = api(member).get("/api/v1/notifications/").json()["results"]
    assert listed["target"]["url"] == f"/calls/{call.pk}/"


def test_applications_are_in_your_data_and_go_with_the_account(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    call = open_call(api, moderator, public_network)
    apply(api, member, call, message="Disponible en mars.")
    archive = client_for(member).get("/api/v1/auth/me/export/").json()
    [entry] = archive["calls"]["applications"]
    assert (entry["call"], entry["message"], entry["status"]) == (
        call.pk,
        "Disponible en mars.",
        "submitted",
    )
    from accounts.deletion import do_delete_account

    do_delete_account(member, "correct horse battery staple", "erase")
    assert not Application.objects.exists()
    assert Call.objects.filter(pk=call.pk).exists()


def bulk_calls(network: Any, poster: Any, n: int) -> None:
    from calls.actions import do_create_call, do_publish_call
    from tests.factories.calls import call_body

    for i in range(n):
        do_publish_call(poster, do_create_call(poster, network, call_body(title=f"Appel {i}")))


def count(call: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
        assert response.status_code == 200
    return len(queries)


def test_a_page_of_calls_costs_the_same_for_3_or_12_calls(
    db: Any, api: Any, public_network: Any, moderator: Any, member: Any
) -> None:
    client = api(member)
    url = f"/api/v1/networks/{public_network.slug}/calls/"
    bulk_calls(public_network, moderator, 3)
    client.get(url)
    few = count(lambda: client.get(url))
    bulk_calls(public_network, moderator, 9)
    many = count(lambda: client.get(url))
    assert few == many, (few, many)
