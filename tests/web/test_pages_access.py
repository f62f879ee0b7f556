"""Every page, per persona: what each may open, and 404 for what they may not see.

The web pages go through the same `access_*` checks as the API, so a hidden or
private network's content is a 404 page to outsiders, never a leak.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ALL = ["owner", "moderator", "member", "pending", "banned", "outsider", "staff", "anonymous"]


def status_of(browse: Any, who: str, path: str) -> int:
    return int(browse(who).get(path).status_code)


@pytest.mark.parametrize("path", ["/", "/networks/", "/networks/germany/"])
def test_public_pages_open_for_everyone(browse, path, public_network):
    for who in ("anonymous", "member"):
        assert status_of(browse, who, path) == 200


@pytest.mark.parametrize("path", ["/signin/", "/signup/"])
def test_account_pages_open_for_visitors_and_send_members_home(browse, path):
    assert status_of(browse, "anonymous", path) == 200
    assert status_of(browse, "member", path) == 302


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("moderator", 200),
        ("member", 200),
        ("pending", 404),
        ("banned", 404),
        ("outsider", 404),
        ("staff", 200),
        ("anonymous", 404),
    ],
)
def test_hidden_network_home_is_a_404_to_non_members(browse, hidden_network, who, expected):
    assert status_of(browse, who, "/networks/lawyers/") == expected


def test_network_list_never_names_a_hidden_network_to_outsiders(browse, hidden_network, member):
    assert "Lawyers abroad" not in browse("outsider").get("/networks/").content.decode()
    assert "Lawyers abroad" in browse("member").get("/networks/").content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("member", 200),
        ("pending", 404),
        ("outsider", 404),
        ("banned", 404),
        ("staff", 200),
    ],
)
def test_private_network_content_is_a_404_to_non_members(
    browse, private_forum, private_room, who, expected
):
    topic = private_forum["topic"]
    paths = [
        "/networks/medical/forums/",
        f"/networks/medical/forums/{private_forum['category'].pk}/",
        f"/topics/{topic.pk}/",
        f"/rooms/{private_room.pk}/",
        "/networks/medical/directory/",
    ]
    for path in paths:
        assert status_of(browse, who, path) == expected, path
    if expected == 404:
        body = browse(who).get(f"/topics/{topic.pk}/").content.decode()
        assert "Secret médical" not in body


def test_private_network_home_shows_no_content_to_outsiders(browse, private_forum):
    body = browse("outsider").get("/networks/medical/").content.decode()
    assert "Cas cliniques" not in body
    assert "private" in body


def test_banned_member_of_a_public_network_is_told_so(browse, forum):
    response = browse("banned").get(f"/topics/{forum['topic'].pk}/")
    assert response.status_code == 403
    assert "banned" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"), [("outsider", 200), ("member", 200), ("anonymous", 404)]
)
def test_public_forum_reads_for_signed_in_people_only(browse, forum, who, expected):
    # As in the API: a public network's content is for signed-in people.
    assert status_of(browse, who, f"/topics/{forum['topic'].pk}/") == expected
    assert status_of(browse, who, "/networks/germany/forums/") == expected


@pytest.mark.parametrize(
    "path",
    [
        "/networks/germany/manage/",
        "/networks/germany/manage/members/",
        "/networks/germany/manage/invitations/",
        "/networks/germany/manage/audit/",
    ],
)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("moderator", 200),
        ("staff", 200),
        ("member", 404),
        ("pending", 404),
        ("banned", 404),
        ("outsider", 404),
    ],
)
def test_moderation_pages_exist_only_for_moderators(browse, public_network, path, who, expected):
    assert status_of(browse, who, path) == expected


def test_moderation_pages_send_anonymous_visitors_to_sign_in(browse, public_network):
    response = browse("anonymous").get("/networks/germany/manage/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=")


def test_room_of_a_network_you_left_is_gone(browse, room, member, public_network):
    from community.actions import membership

    membership.do_leave_network(member, public_network)
    # A public network's rooms stay readable to signed-in people; writing is what ends.
    body = browse("member").get(f"/rooms/{room.pk}/").content.decode()
    assert 'id="composer"' not in body


def test_direct_room_is_a_404_to_a_third_person(browse, member, moderator, public_network):
    from chat.actions import rooms

    direct = rooms.do_open_direct_room(member, moderator.pk).room
    assert status_of(browse, "member", f"/rooms/{direct.pk}/") == 200
    assert status_of(browse, "outsider", f"/rooms/{direct.pk}/") == 404
    assert status_of(browse, "owner", f"/rooms/{direct.pk}/") == 404


def test_unknown_pages_and_objects_are_friendly_404s(browse, public_network):
    for path in ["/nope/", "/topics/999999/", "/rooms/999999/", "/people/nobody/"]:
        response = browse("member").get(path)
        assert response.status_code == 404, path
        body = response.content.decode()
        assert "Traceback" not in body
        assert "This page does not exist" in body
