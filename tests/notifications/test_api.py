"""The REST endpoints: list (re-checking access), unread count, mark read, texts in the
recipient's language, and constant query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from community.actions import membership as members
from community.models import Network
from directory.models import Profile
from notifications.actions import do_notify
from notifications.models import Notification
from tests._queries import AllQueries
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = "/api/v1/notifications/"
COUNT = "/api/v1/notifications/unread-count/"
READ = "/api/v1/notifications/read/"


def notify(user: Any, network: Network, actor: Any, n: int = 1, **data: Any) -> None:
    for _ in range(n):
        do_notify([user.pk], Kind.MODERATION, network=network, actor=actor, data=data)


def test_list_shape_newest_first_and_unread_filter(
    api: Any, owner: Any, member: Any, public_network: Network
) -> None:
    notify(member, public_network, owner, 3, action="muted", until="2030-01-01T10:00:00+00:00")
    first = Notification.objects.filter(recipient=member).order_by("id").first()
    assert first is not None
    client = api(member)
    client.post(READ, {"ids": [first.pk]}, format="json")
    body = client.get(LIST).json()
    assert [r["id"] for r in body["results"]] == sorted(
        Notification.objects.filter(recipient=member).values_list("id", flat=True), reverse=True
    )
    row = body["results"][0]
    assert row["kind"] == "moderation" and row["network"] == "germany"
    assert row["actor"]["id"] == owner.pk and row["read_at"] is None
    assert row["target"] == {"type": "", "id": None, "url": "/networks/germany/"}
    assert "Germany" in row["text"]
    unread = client.get(LIST, {"unread": "true"}).json()["results"]
    assert len(unread) == 2 and first.pk not in [r["id"] for r in unread]
    assert client.get(COUNT).json() == {"count": 2}


def test_pages(api: Any, owner: Any, member: Any, public_network: Network) -> None:
    notify(member, public_network, owner, 5)
    client = api(member)
    seen: list[int] = []
    page = client.get(LIST, {"limit": 2}).json()
    while True:
        seen += [r["id"] for r in page["results"]]
        if page["next"] is None:
            break
        page = client.get(LIST, {"limit": 2, "cursor": page["next"]}).json()
    assert seen == sorted(seen, reverse=True) and len(seen) == 5


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "You were muted in Germany"),
        ("fr", "Vous avez été réduit au silence dans Germany"),
        ("ar", "تم كتم صوتك في Germany"),
    ],
)
def test_text_in_the_recipient_language_when_read(
    api: Any, owner: Any, member: Any, public_network: Network, language: str, expected: str
) -> None:
    notify(member, public_network, owner, action="muted", until="2030-01-01T10:00:00+00:00")
    Profile.objects.update_or_create(user=member, defaults={"ui_language": language})
    assert api(member).get(LIST).json()["results"][0]["text"].startswith(expected)


def test_banned_since_is_not_listed_nor_counted(
    django_capture_on_commit_callbacks: Any,
    api: Any,
    owner: Any,
    member: Any,
    public_network: Network,
    private_network: Network,
) -> None:
    notify(member, public_network, owner, 2)
    notify(member, private_network, owner, 1)
    client = api(member)
    assert client.get(COUNT).json() == {"count": 3}
    with django_capture_on_commit_callbacks(execute=True):
        members.do_ban_member(owner, private_network, member.pk)
    assert client.get(COUNT).json() == {"count": 2}
    networks = {r["network"] for r in client.get(LIST).json()["results"]}
    assert networks == {"germany"}


def test_mark_read_ignores_foreign_ids(
    api: Any, owner: Any, member: Any, moderator: Any, public_network: Network
) -> None:
    notify(member, public_network, owner, 2)
    notify(moderator, public_network, owner, 1)
    mine = list(Notification.objects.filter(recipient=member).values_list("id", flat=True))
    theirs = Notification.objects.get(recipient=moderator).pk
    response = api(member).post(READ, {"ids": [mine[0], theirs, 2**40]}, format="json")
    assert response.status_code == 204
    assert Notification.objects.get(pk=theirs).read_at is None
    assert Notification.objects.get(pk=mine[0]).read_at is not None
    assert api(member).get(COUNT).json() == {"count": 1}
    assert api(member).post(READ, {"all": True}, format="json").status_code == 204
    assert api(member).get(COUNT).json() == {"count": 0}
    assert api(moderator).get(COUNT).json() == {"count": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ids"),
        ({"ids": "1"}, "ids"),
        ({"ids": [0]}, "ids"),
        ({"ids": [1], "all": True}, "all"),
        ({"all": "maybe"}, "all"),
    ],
)
def test_mark_read_bad_body_names_the_field(api: Any, member: Any, body: Any, field: str) -> None:
    response = api(member).post(READ, body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())


def test_bad_unread_and_anonymous(api: Any, member: Any) -> None:
    assert api(member).get(LIST, {"unread": "yes"}).status_code == 400
    for url in (LIST, COUNT):
        assert api(None).get(url).status_code in (401, 403)
    assert api(None).post(READ, {"all": True}, format="json").status_code in (401, 403)
    assert reverse("notifications") == LIST


def _queries(client: Any, url: str) -> int:
    client.get(url)  # warm the access cache as a running site has it
    with AllQueries() as queries:
        assert client.get(url).status_code == 200
    return queries.count


def test_list_and_count_are_constant_queries(
    api: Any, owner: Any, member: Any, public_network: Network
) -> None:
    others = [make_user(f"actor{i}") for i in range(5)]
    client = api(member)
    for actor in others:
        notify(member, public_network, actor)
    small = (_queries(client, LIST), _queries(client, COUNT))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=Kind.MODERATION,
                network=public_network,
                actor=others[i % 5],
                data={"action": "muted"},
            )
            for i in range(495)
        ]
    )
    assert Notification.objects.filter(recipient=member).count() == 500
    assert (_queries(client, LIST), _queries(client, COUNT)) == small


def test_pushing_the_frames_costs_the_same_for_3_and_12_recipients(
    owner: Any, public_network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After commit each recipient gets its frame with its unread count: the rows, their
    recipients' languages and every unread count are read at once, not per recipient."""
    from notifications import actions

    monkeypatch.setattr(
        actions.events, "send_events_now", lambda pairs: sent.extend(e for _g, e in pairs)
    )
    costs = []
    for n in (3, 12):
        sent: list[dict[str, Any]] = []
        people = [make_user(f"reader{n}x{i}") for i in range(n)]
        rows = do_notify(
            [p.pk for p in people], Kind.MODERATION, network=public_network, actor=owner
        )
        with AllQueries() as queries:
            actions.push([row.pk for row in rows])
        costs.append(queries.count)
        assert len(sent) == n and {e["unread"] for e in sent} == {1}
    assert costs[0] == costs[1], costs
