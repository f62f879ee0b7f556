"""The top bar of every page: the bell's unread notifications and the unread messages on
"Messages", right, accessible, for signed-in people only, and a constant number of
queries whatever the number of notifications and rooms (issue 13)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from chat.actions import rooms as room_actions
from chat.models import Room
from community.models import Network
from notifications.actions import do_notify
from notifications.models import Notification
from tests._queries import AllQueries
from tests.factories.chat import make_direct_room, make_room, send
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bell(html: str) -> int:
    found = re.search(r"data-bell-count(?: hidden)?>(\d+)<", html)
    assert found, "no bell"
    return int(found.group(1))


def messages_badge(html: str) -> int:
    found = re.search(r"data-messages-count(?: hidden)?>(\d+)<", html)
    assert found, "no messages badge"
    return int(found.group(1))


def rooms_json(html: str) -> dict[str, int]:
    found = re.search(r'<script id="topbar-rooms" type="application/json">(.*?)</script>', html)
    assert found
    return dict(json.loads(found.group(1)))


def test_anonymous_pages_have_no_bell_no_badge_and_no_extra_queries(
    public_network: Network,
) -> None:
    client = Client()
    html = client.get("/networks/").content.decode()
    assert "data-bell" not in html and "data-messages-count" not in html
    assert "notifications.js" not in html and "topbar-strings" not in html
    with AllQueries() as queries:
        client.get("/signin/")
    assert not [sql for sql in queries.sql if "notification" in sql or "chat_" in sql]


def test_bell_counts_unread_notifications_with_an_accessible_label(
    owner: Any, member: Any, public_network: Network
) -> None:
    for _ in range(3):
        do_notify([member.pk], Kind.MODERATION, network=public_network, actor=owner)
    oldest = Notification.objects.filter(recipient=member).order_by("id").values("id")[:1]
    Notification.objects.filter(pk__in=oldest).update(read_at="2026-01-01T00:00:00Z")
    html = client_of(member).get("/networks/").content.decode()
    assert bell(html) == 2
    assert 'aria-label="Notifications (unread: 2)"' in html
    assert 'href="/notifications/"' in html
    assert '<script src="/static/js/notifications.js" defer></script>' in html
    quiet = client_of(owner).get("/networks/").content.decode()
    assert bell(quiet) == 0 and re.search(r"data-bell-count hidden>0<", quiet)
    assert 'aria-label="Notifications (unread: 0)"' in quiet


def test_messages_badge_sums_unread_direct_and_member_rooms_only(
    owner: Any,
    member: Any,
    moderator: Any,
    outsider: Any,
    public_network: Network,
    private_network: Network,
) -> None:
    general = make_room(public_network, name="general")
    other = make_room(public_network, name="other")
    send(owner, general, "one")
    send(owner, general, "two")
    send(moderator, other, "three")
    send(member, other, "mine: never unread for me")
    direct = make_direct_room(owner, member)
    send(owner, direct, "salam")
    archived = make_room(public_network, name="old")
    send(owner, archived, "gone")
    Room.objects.filter(pk=archived.pk).update(archived=True)
    html = client_of(member).get("/").content.decode()
    assert messages_badge(html) == 4
    assert rooms_json(html) == {str(general.pk): 2, str(other.pk): 1, str(direct.pk): 1}
    assert 'aria-label="Messages (unread: 4)"' in html
    # Reading a room takes it off the badge.
    room_actions.do_mark_read(member, general, general.messages.order_by("-seq").first().pk)
    assert messages_badge(client_of(member).get("/").content.decode()) == 2
    # Someone who is no member of the network hears nothing of its rooms.
    html = client_of(outsider).get("/").content.decode()
    assert messages_badge(html) == 0 and rooms_json(html) == {}
    assert re.search(r"data-messages-count hidden>0<", html)


def test_banned_member_rooms_are_not_counted(
    owner: Any, banned: Any, public_network: Network
) -> None:
    room = make_room(public_network, name="general")
    send(owner, room, "hello")
    assert messages_badge(client_of(banned).get("/").content.decode()) == 0


def _cost(client: Client, url: str) -> int:
    client.get(url)  # warm the access cache as a running site has it
    with AllQueries() as queries:
        assert client.get(url).status_code == 200
    return queries.count


def _fill(member: Any, public_network: Network, people: list[Any], rooms: int, notes: int) -> None:
    for i in range(rooms):
        room = make_room(public_network, name=f"room {i} {len(people)}")
        send(people[i % len(people)], room, "hello")
        if i % 2:
            send(people[i % len(people)], make_direct_room(people[i % len(people)], member), "hi")
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=Kind.MODERATION,
                network=public_network,
                actor=people[i % len(people)],
            )
            for i in range(notes)
        ]
    )


@pytest.mark.parametrize("url", ["/", "/networks/", "/directory/", "/notifications/"])
def test_the_top_bar_costs_the_same_for_5_and_50_rooms_and_notifications(
    owner: Any, member: Any, public_network: Network, url: str
) -> None:
    people = [make_user(f"peer{i}") for i in range(5)]
    for person in people:
        add_member(public_network, person)
    client = client_of(member)
    _fill(member, public_network, people, 5, 5)
    small = _cost(client, url)
    assert messages_badge(client.get(url).content.decode()) > 0
    _fill(member, public_network, people, 45, 45)
    html = client.get(url).content.decode()
    assert bell(html) == 50 and messages_badge(html) >= 45
    assert _cost(client, url) == small
