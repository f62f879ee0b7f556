"""The web page of notifications (/notifications/): what it lists (only what the user may
still read), paging, the unread filter, the mark-read forms, languages and query counts
(issue 13)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from community.actions import membership as members
from community.models import Network
from notifications.actions import do_notify
from notifications.models import Notification
from tests._queries import AllQueries
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
PAGE = "/notifications/"


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notify(user: Any, network: Network, actor: Any, n: int = 1, **data: Any) -> list[int]:
    ids = []
    for _ in range(n):
        ids += [
            row.pk
            for row in do_notify(
                [user.pk], Kind.MODERATION, network=network, actor=actor, data=data
            )
        ]
    return ids


def shown_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-notification="(\d+)"', html)]


def bell(html: str) -> int:
    found = re.search(r"data-bell-count(?: hidden)?>(\d+)<", html)
    assert found, "no bell"
    return int(found.group(1))


def test_anonymous_is_sent_to_sign_in_and_may_not_post() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/notifications/"
    assert Client().get("/notifications/menu/").status_code == 302
    for path in ("/notifications/read-all/", "/notifications/1/read/", "/notifications/1/open/"):
        response = Client().post(path)
        assert response.status_code == 302 and response["Location"].startswith("/signin/")


def test_lists_newest_first_with_text_actor_and_unread_marked(
    owner: Any, member: Any, public_network: Network
) -> None:
    ids = notify(member, public_network, owner, 3, action="banned")
    Notification.objects.filter(pk=ids[0]).update(read_at="2026-01-01T00:00:00Z")
    html = client_of(member).get(PAGE).content.decode()
    assert shown_ids(html) == sorted(ids, reverse=True)
    assert "You were banned from Germany." in html
    assert html.count('class="notif unread"') == 2
    assert owner.username[:1].upper() in html  # the actor's avatar letter
    assert f'action="/notifications/{ids[0]}/read/"' not in html  # already read
    assert f'action="/notifications/{ids[1]}/read/"' in html
    assert "datetime=" in html and "data-local-time" in html


def test_empty_states_for_all_and_unread(member: Any) -> None:
    client = client_of(member)
    assert "No notification yet." in client.get(PAGE).content.decode()
    assert "Nothing unread." in client.get(PAGE, {"show": "unread"}).content.decode()


def test_banned_since_network_is_hidden_from_the_page_and_the_bell(
    django_capture_on_commit_callbacks: Any,
    owner: Any,
    member: Any,
    public_network: Network,
    private_network: Network,
) -> None:
    public = notify(member, public_network, owner, 1)
    private = notify(member, private_network, owner, 2)
    client = client_of(member)
    assert set(shown_ids(client.get(PAGE).content.decode())) == set(public + private)
    with django_capture_on_commit_callbacks(execute=True):
        members.do_ban_member(owner, private_network, member.pk)
    html = client.get(PAGE).content.decode()
    ban_notice = set(
        Notification.objects.filter(
            recipient=member, network=private_network, kind=Kind.MODERATION
        ).values_list("pk", flat=True)
    ) - set(private)
    assert set(shown_ids(html)) == set(public)
    assert not ban_notice & set(shown_ids(html))
    assert "Medical network" not in html.split('id="notification-list"')[1]
    # Opening or marking a hidden one answers 404 and changes nothing.
    assert client.post(f"/notifications/{private[0]}/open/").status_code == 404
    assert Notification.objects.get(pk=private[0]).read_at is None
    assert bell(html) == 1


def test_pages_through_keyset_cursors(owner: Any, member: Any, public_network: Network) -> None:
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member, kind=Kind.MODERATION, network=public_network, actor=owner
            )
            for _ in range(35)
        ]
    )
    client = client_of(member)
    seen: list[int] = []
    url = PAGE
    for _ in range(5):
        html = client.get(url).content.decode()
        seen += shown_ids(html)
        more = re.search(r'href="\?cursor=([^"]+)"', html)
        if more is None:
            break
        url = f"{PAGE}?cursor={more.group(1)}"
    assert len(seen) == 35 and seen == sorted(seen, reverse=True)
    assert client.get(PAGE, {"cursor": "garbage"}).status_code == 404


def test_unread_filter_and_a_bad_filter(owner: Any, member: Any, public_network: Network) -> None:
    ids = notify(member, public_network, owner, 3)
    Notification.objects.filter(pk=ids[1]).update(read_at="2026-01-01T00:00:00Z")
    client = client_of(member)
    html = client.get(PAGE, {"show": "unread"}).content.decode()
    assert shown_ids(html) == [ids[2], ids[0]]
    assert 'aria-current="page">Unread<' in html
    bad = client.get(PAGE, {"show": "maybe"})
    assert bad.status_code == 400 and "show" in bad.content.decode()


def test_mark_all_read_form(
    owner: Any, member: Any, moderator: Any, public_network: Network
) -> None:
    notify(member, public_network, owner, 3)
    notify(moderator, public_network, owner, 1)
    client = client_of(member)
    html = client.get(PAGE).content.decode()
    assert 'action="/notifications/read-all/"' in html
    response = client.post("/notifications/read-all/", {"next": "/notifications/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?show=unread"
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=moderator, read_at__isnull=True).count() == 1
    html = client.get(PAGE).content.decode()
    assert 'class="notif unread"' not in html and "/notifications/read-all/" not in html
    # Somewhere else: never sent off-site.
    away = client.post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert away["Location"] == "/notifications/"


def test_mark_one_read_form_touches_only_ones_own(
    owner: Any, member: Any, moderator: Any, public_network: Network
) -> None:
    mine = notify(member, public_network, owner, 2)
    theirs = notify(moderator, public_network, owner, 1)
    client = client_of(member)
    response = client.post(f"/notifications/{mine[0]}/read/", {"next": PAGE})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert Notification.objects.get(pk=mine[0]).read_at is not None
    assert Notification.objects.get(pk=mine[1]).read_at is None
    assert client.post(f"/notifications/{theirs[0]}/read/").status_code == 302
    assert Notification.objects.get(pk=theirs[0]).read_at is None
    assert client.post(f"/notifications/{2**70}/read/").status_code == 404
    assert client.get(f"/notifications/{mine[1]}/read/").status_code == 405


def test_opening_marks_read_and_goes_to_the_target(
    owner: Any, member: Any, moderator: Any, pending: Any, public_network: Network
) -> None:
    rows = do_notify(
        [moderator.pk],
        Kind.JOIN_REQUEST,
        network=public_network,
        actor=pending,
        target=("membership", 1),
    )
    client = client_of(moderator)
    response = client.post(f"/notifications/{rows[0].pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:manage-requests", args=["germany"])
    assert Notification.objects.get(pk=rows[0].pk).read_at is not None
    # Someone else's: the same 404 as one that does not exist, and it stays unread.
    other = notify(member, public_network, owner, 1)[0]
    assert client.post(f"/notifications/{other}/open/").status_code == 404
    assert client.post("/notifications/999999/open/").status_code == 404
    assert Notification.objects.get(pk=other).read_at is None


def test_the_forms_need_the_csrf_token(owner: Any, member: Any, public_network: Network) -> None:
    ids = notify(member, public_network, owner, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post("/notifications/read-all/").status_code == 403
    assert client.post(f"/notifications/{ids[0]}/open/").status_code == 403
    assert Notification.objects.get(pk=ids[0]).read_at is None


@pytest.mark.parametrize(
    ("language", "direction", "heading", "text"),
    [
        ("ar", "rtl", "الإشعارات", "تم حظرك من Germany."),
        ("fr", "ltr", "Notifications", "Vous avez été banni de Germany."),
        ("en", "ltr", "Notifications", "You were banned from Germany."),
    ],
)
def test_page_in_each_language_with_its_direction(
    owner: Any,
    member: Any,
    public_network: Network,
    language: str,
    direction: str,
    heading: str,
    text: str,
) -> None:
    notify(member, public_network, owner, 1, action="banned")
    client = client_of(member)
    client.cookies["django_language"] = language
    html = client.get(PAGE).content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert text in html


def _cost(client: Client, url: str) -> int:
    client.get(url)  # warm the access cache as a running site has it
    with AllQueries() as queries:
        assert client.get(url).status_code == 200
    return queries.count


def test_the_page_costs_the_same_queries_for_5_and_50_notifications(
    owner: Any, member: Any, public_network: Network
) -> None:
    actors = [make_user(f"actor{i}") for i in range(5)]
    for actor in actors:
        notify(member, public_network, actor)
    client = client_of(member)
    small = (_cost(client, PAGE), _cost(client, f"{PAGE}?show=unread"))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=Kind.MODERATION,
                network=public_network,
                actor=actors[i % 5],
                data={"action": "muted"},
            )
            for i in range(45)
        ]
    )
    assert (_cost(client, PAGE), _cost(client, f"{PAGE}?show=unread")) == small


def test_the_bell_menu_shows_the_latest_six_visible_in_the_page_language(
    django_capture_on_commit_callbacks: Any,
    owner: Any,
    member: Any,
    public_network: Network,
    private_network: Network,
) -> None:
    public = notify(member, public_network, owner, 7, action="banned")
    hidden = notify(member, private_network, owner, 1)
    with django_capture_on_commit_callbacks(execute=True):
        members.do_ban_member(owner, private_network, member.pk)
    client = client_of(member)
    client.cookies["django_language"] = "fr"
    response = client.get("/notifications/menu/", {"next": "/networks/"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert shown_ids(html) == sorted(public, reverse=True)[:6]
    assert not set(hidden) & set(shown_ids(html))
    assert "Vous avez été banni de Germany." in html
    assert 'name="next" value="/networks/"' in html
    assert 'action="/notifications/read-all/"' in html
    away = client.get("/notifications/menu/", {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in away


def test_the_menu_costs_the_same_queries_for_5_and_50_notifications(
    owner: Any, member: Any, public_network: Network
) -> None:
    actors = [make_user(f"menu{i}") for i in range(5)]
    for actor in actors:
        notify(member, public_network, actor)
    client = client_of(member)
    small = _cost(client, "/notifications/menu/")
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member, kind=Kind.MODERATION, network=public_network, actor=actors[0]
            )
            for _ in range(45)
        ]
    )
    assert _cost(client, "/notifications/menu/") == small


NETWORKS = {"public": "public_network", "private": "private_network", "hidden": "hidden_network"}


def readers(visibility: str) -> set[str]:
    """Who may read a network of this visibility now (CONTRACT.md "Networks")."""
    if visibility == "public":
        return {"owner", "moderator", "member", "pending", "outsider", "left", "staff"}
    return {"owner", "moderator", "member", "staff"}


@pytest.mark.parametrize("visibility", list(NETWORKS))
def test_every_persona_sees_on_the_page_bell_and_menu_only_what_it_may_read_now(
    request: pytest.FixtureRequest, visibility: str, personas: dict[str, Any]
) -> None:
    people = {**personas, "left": make_user("leaver")}
    network: Network = request.getfixturevalue(NETWORKS[visibility])
    add_member(network, people["left"])
    actor = make_user("actor")
    # Rows as they were stored while everyone belonged; then the leaver leaves.
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Kind.MODERATION, network=network, actor=actor, data={})
        for user in people.values()
    )
    members.do_leave_network(people["left"], network)
    for name, user in people.items():
        client = client_of(user)
        page = client.get(PAGE).content.decode()
        menu = client.get("/notifications/menu/").content.decode()
        expected = 1 if name in readers(visibility) else 0
        assert (len(shown_ids(page)), bell(page), len(shown_ids(menu))) == (expected,) * 3, (
            visibility,
            name,
        )
        if not expected:
            assert network.name not in page.split('<main id="main"')[1]
