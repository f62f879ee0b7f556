"""Search results come from rows that are still visible, whatever the index still holds.

Meilisearch is updated by the outbox worker, after the change: until it catches up, its
documents hold the old text of an edited post or message, and deleted ones are still
there. These tests change content and do NOT drain the outbox (no `backend.sync()`
after the change), which is the state every reader meets in that window; on the
database backend (always current) they hold trivially.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from chat.actions.messages import do_delete_message, do_edit_message, do_send_message
from chat.actions.rooms import do_create_room
from community.forums import actions as forums
from tests.factories.directory import SearchBackend, make_profile
from tests.factories.forums import make_category, make_post, make_topic


def word() -> str:
    return "zq" + secrets.token_hex(6)


def search(api: Any, user: Any, q: str, **params: str) -> list[dict[str, Any]]:
    response = api(user).get("/api/v1/search/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_deleted_message_leaves_search_at_once_and_an_edited_one_shows_its_new_text(
    backend: SearchBackend, public_network: Any, owner: Any, member: Any, outsider: Any, api: Any
) -> None:
    old, new, other = word(), word(), word()
    room = do_create_room(owner, public_network, "Général")
    message = do_send_message(member, room, f"Rendez-vous {old} samedi").message
    kept = do_send_message(member, room, f"Rendez-vous {other} dimanche").message
    backend.sync()
    assert [r["id"] for r in search(api, outsider, old, type="messages")] == [message.pk]

    do_edit_message(member, message, f"Rendez-vous {new} samedi")
    for q in (old, f"rendez vous {old}"):
        found = search(api, outsider, q)
        assert old not in json.dumps(found, ensure_ascii=False)
        assert all(new in r["snippet"] for r in found if r["id"] == message.pk)

    do_delete_message(member, message)
    for q in (old, new, "rendez vous"):
        for kind in ("", "messages"):
            found = search(api, outsider, q, type=kind)
            text = json.dumps(found, ensure_ascii=False)
            assert old not in text and new not in text
            assert ("messages", message.pk) not in {(r["type"], r["id"]) for r in found}
    # What is still there still shows.
    assert [r["id"] for r in search(api, outsider, other, type="messages")] == [kept.pk]


def test_a_deleted_post_or_topic_leaves_search_at_once_and_an_edited_one_shows_its_new_text(
    backend: SearchBackend,
    public_network: Any,
    member: Any,
    moderator: Any,
    outsider: Any,
    api: Any,
) -> None:
    old, new, title, renamed, inside = word(), word(), word(), word(), word()
    topic = make_topic(make_category(public_network), member, f"Bourses {title}", f"Corps {inside}")
    reply = make_post(topic, member, f"La bourse {old} finance le master.")
    backend.sync()
    assert {r["id"] for r in search(api, outsider, old, type="posts")} == {reply.pk}

    forums.do_edit_post(member, reply, f"La bourse {new} finance le master.")
    forums.do_update_topic(member, topic, title=f"Bourses {renamed}")
    for q in (old, title):
        text = json.dumps(search(api, outsider, q), ensure_ascii=False)
        assert old not in text and title not in text

    forums.do_delete_post(moderator, reply)
    for q in (old, new, "bourse"):
        found = search(api, outsider, q, type="posts")
        assert reply.pk not in {r["id"] for r in found}
        assert new not in json.dumps(found, ensure_ascii=False)

    forums.do_delete_topic(moderator, topic)
    for q in (renamed, inside, title, "bourses"):
        found = search(api, outsider, q)
        text = json.dumps(found, ensure_ascii=False)
        assert renamed not in text and inside not in text and title not in text
        assert not [r for r in found if r["type"] in ("topics", "posts")]


def test_a_deactivated_account_leaves_the_directory_and_search_at_once(
    backend: SearchBackend, public_network: Any, member: Any, outsider: Any, api: Any
) -> None:
    headline = word()
    make_profile(member, headline=f"Cardiologue {headline}")
    backend.sync()
    assert [r["id"] for r in search(api, outsider, headline, type="members")] == [member.pk]
    # Deactivated (by staff in the admin): nothing reindexes the profile.
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert search(api, outsider, headline) == []
    response = api(outsider).get("/api/v1/directory/", {"q": headline})
    assert response.status_code == 200 and response.json()["results"] == []
