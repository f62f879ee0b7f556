"""Topics, posts and messages in GET /api/v1/search/: only what the caller may read."""

from __future__ import annotations

from typing import Any

from chat.actions.messages import do_delete_message, do_send_message
from chat.actions.rooms import do_create_room, do_open_direct_room
from community.forums.actions.posts import do_delete_post
from tests.factories.directory import SearchBackend
from tests.factories.forums import make_category, make_post, make_topic


def search(api: Any, user: Any, q: str, **params: str) -> set[tuple[str, int]]:
    response = api(user).get("/api/v1/search/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return {(row["type"], row["id"]) for row in response.json()["results"]}


def test_forum_content_is_searchable_by_readers_of_its_network_only(
    backend: SearchBackend,
    public_network: Any,
    private_network: Any,
    member: Any,
    outsider: Any,
    banned: Any,
    api: Any,
) -> None:
    open_topic = make_topic(make_category(public_network), member, "Bourses d'études")
    reply = make_post(open_topic, member, "La bourse Excellence finance le master à Montréal.")
    closed_topic = make_topic(make_category(private_network), member, "Bourses médicales")
    backend.sync()
    assert search(api, member, "bourses") >= {
        ("topics", open_topic.pk),
        ("topics", closed_topic.pk),
    }
    assert ("topics", closed_topic.pk) not in search(api, outsider, "bourses")
    assert ("topics", open_topic.pk) in search(api, outsider, "bourses")
    assert search(api, outsider, "excellence montreal", type="posts") == {("posts", reply.pk)}
    assert search(api, banned, "bourses") == set()  # banned everywhere it belongs
    in_germany = search(api, member, "bourses", network="germany")
    assert in_germany == {("topics", open_topic.pk), ("posts", reply.pk)}  # "bourse": a typo away

    do_delete_post(member, reply)
    backend.sync()
    assert search(api, outsider, "excellence", type="posts") == set()


def test_messages_follow_room_access(
    backend: SearchBackend,
    public_network: Any,
    owner: Any,
    member: Any,
    moderator: Any,
    outsider: Any,
    api: Any,
) -> None:
    room = do_create_room(owner, public_network, "Général")
    said = do_send_message(member, room, "Réunion à Casablanca samedi", "c1").message
    direct = do_open_direct_room(member, moderator.pk).room
    whispered = do_send_message(member, direct, "Rendez-vous confidentiel", "c2").message
    backend.sync()
    assert search(api, outsider, "casablanca", type="messages") == {("messages", said.pk)}
    assert search(api, moderator, "confidentiel") == {("messages", whispered.pk)}
    assert search(api, member, "confidentiel") == {("messages", whispered.pk)}
    assert search(api, owner, "confidentiel") == set()
    assert search(api, outsider, "confidentiel") == set()

    do_delete_message(member, said)
    backend.sync()
    assert search(api, outsider, "casablanca") == set()
