"""Messages in GET /api/v1/search/ (chat.search): they follow room access, and results
are built from messages that are still visible, whatever the index still holds.

Meilisearch is updated by the outbox worker, after the change: until it catches up, its
documents hold the old text of an edited message, and deleted ones are still there. The
test of stale documents changes messages and does NOT drain the outbox (no
`backend.sync()` after the change), which is the state every reader meets in that
window; on the database backend (always current) it holds trivially.
"""

from __future__ import annotations

import json
from typing import Any

from chat.actions.messages import do_delete_message, do_edit_message, do_send_message
from chat.actions.rooms import do_create_room, do_open_direct_room
from tests.factories.directory import SearchBackend
from tests.factories.search import found, search, word


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
    assert found(api, outsider, "casablanca", type="messages") == {("messages", said.pk)}
    assert found(api, moderator, "confidentiel") == {("messages", whispered.pk)}
    assert found(api, member, "confidentiel") == {("messages", whispered.pk)}
    assert found(api, owner, "confidentiel") == set()
    assert found(api, outsider, "confidentiel") == set()

    do_delete_message(member, said)
    backend.sync()
    assert found(api, outsider, "casablanca") == set()


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
        results = search(api, outsider, q)
        assert old not in json.dumps(results, ensure_ascii=False)
        assert all(new in r["snippet"] for r in results if r["id"] == message.pk)

    do_delete_message(member, message)
    for q in (old, new, "rendez vous"):
        for kind in ("", "messages"):
            results = search(api, outsider, q, type=kind)
            text = json.dumps(results, ensure_ascii=False)
            assert old not in text and new not in text
            assert ("messages", message.pk) not in {(r["type"], r["id"]) for r in results}
    # What is still there still shows.
    assert [r["id"] for r in search(api, outsider, other, type="messages")] == [kept.pk]
