"""The room log carries each message's current state: an edit or a deletion rewrites the
message's earlier frames, so neither a replay nor the REST event log hands out old words."""

from __future__ import annotations

import importlib
import json
import secrets
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.actions import messages
from chat.models import Message, RoomEvent
from tests.factories.chat import send

pytestmark = pytest.mark.django_db


def word() -> str:
    """A marker that occurs nowhere else."""
    return "zq" + secrets.token_hex(6)


def log(api: Any, reader: Any, room: Any) -> list[dict[str, Any]]:
    response = api(reader).get(f"/api/v1/rooms/{room.pk}/events/", {"after_seq": 0})
    assert response.status_code == 200
    return response.json()["results"]


def test_a_deleted_message_leaves_no_word_and_no_reaction_in_any_frame_of_the_log(
    api: Any, member: Any, moderator: Any, public_room: Any
) -> None:
    first, second = word(), word()
    message = send(member, public_room, f"Salam {first}")
    messages.do_add_reaction(moderator, message, "👍")
    messages.do_edit_message(member, message, f"Salam {second}")
    messages.do_add_reaction(member, message, "🎉")
    messages.do_remove_reaction(moderator, message, "👍")
    messages.do_delete_message(moderator, message)
    frames = log(api, member, public_room)
    # The log keeps its shape: every seq, every type, in order.
    assert [(f["seq"], f["type"]) for f in frames] == [
        (1, "message.new"),
        (2, "reaction.added"),
        (3, "message.edited"),
        (4, "reaction.added"),
        (5, "reaction.removed"),
        (6, "message.deleted"),
    ]
    text = json.dumps(frames, ensure_ascii=False)
    assert first not in text and second not in text
    assert "👍" not in text and "🎉" not in text
    for frame in frames:
        assert frame["room"] == public_room.pk
        if frame["type"].startswith("message."):
            shown = frame["message"]
            assert shown["id"] == message.pk and shown["deleted"] is True
            assert shown["body"] == "" and shown["body_html"] == ""
        else:
            assert frame["message"] == message.pk
            assert frame["emoji"] is None and frame["user"] is None
    # The history agrees: the deleted message keeps its place, not its reactions.
    rows = api(member).get(f"/api/v1/rooms/{public_room.pk}/messages/").json()["results"]
    assert rows[0]["deleted"] and rows[0]["reactions"] == []


def test_an_edited_message_shows_only_its_current_text_at_every_point_of_the_log(
    api: Any, member: Any, moderator: Any, public_room: Any
) -> None:
    versions = [word(), word(), word()]
    message = send(member, public_room, f"Bonjour {versions[0]}")
    messages.do_add_reaction(moderator, message, "👍")
    for version in versions[1:]:
        messages.do_edit_message(member, message, f"Bonjour **{version}**")
    frames = log(api, moderator, public_room)
    assert [f["type"] for f in frames] == [
        "message.new",
        "reaction.added",
        "message.edited",
        "message.edited",
    ]
    text = json.dumps(frames, ensure_ascii=False)
    assert versions[0] not in text and versions[1] not in text
    current = Message.objects.get(pk=message.pk)
    for frame in frames:
        if frame["type"].startswith("message."):
            assert frame["message"]["body"] == f"Bonjour **{versions[2]}**"
            assert frame["message"]["body_html"] == current.body_html
            assert frame["message"]["edited_at"] is not None
    # An edit takes nothing from reactions: the message is still there to react to.
    assert frames[1]["emoji"] == "👍" and frames[1]["user"]["id"] == moderator.pk


def test_a_rewrite_touches_only_the_frames_of_its_own_message(
    api: Any, member: Any, moderator: Any, public_room: Any
) -> None:
    kept, gone = word(), word()
    other = send(moderator, public_room, f"Ahlan {kept}")
    messages.do_add_reaction(member, other, "👍")
    before = list(RoomEvent.objects.order_by("seq").values_list("payload", flat=True))
    message = send(member, public_room, f"Ahlan {gone}")
    messages.do_delete_message(member, message)
    after = list(RoomEvent.objects.order_by("seq").values_list("payload", flat=True))
    assert after[:2] == before
    assert kept in json.dumps(after[:2], ensure_ascii=False)


def _cost(action: Any) -> tuple[int, list[str]]:
    """(queries, the statements on the room log) one call of `action` costs."""
    with CaptureQueriesContext(connection) as captured:
        action()
    sqls = [q["sql"] for q in captured.captured_queries]
    return len(sqls), [s.split()[0].upper() for s in sqls if "chat_roomevent" in s]


def _with_history(member: Any, room: Any, versions: int) -> Message:
    message = send(member, room, "v0")
    for i in range(versions):
        messages.do_edit_message(member, message, f"v{i + 1}")
        messages.do_add_reaction(member, message, "👍")
        messages.do_remove_reaction(member, message, "👍")
    return Message.objects.select_related("room__network", "author__profile").get(pk=message.pk)


def test_an_edit_and_a_delete_rewrite_the_log_in_one_update_whatever_its_history(
    member: Any, public_room: Any
) -> None:
    short, long = _with_history(member, public_room, 1), _with_history(member, public_room, 12)
    costs = {}
    for message in (short, long):
        edit = _cost(lambda m=message: messages.do_edit_message(member, m, "final"))
        delete = _cost(lambda m=message: messages.do_delete_message(member, m))
        # The log: one UPDATE rewrites the earlier frames, one INSERT adds the new one;
        # nothing reads it (no scan of the room's log).
        assert edit[1] == delete[1] == ["UPDATE", "INSERT"]
        costs[message.pk] = (edit[0], delete[0])
    # The same number of queries after 1 or 12 earlier versions (37 frames).
    assert costs[short.pk] == costs[long.pk]
    assert RoomEvent.objects.filter(message=long).count() == 1 + 12 * 3 + 2


def test_the_migration_rewrites_the_frames_that_were_stored_before_it(
    api: Any, member: Any, moderator: Any, public_room: Any
) -> None:
    old, kept = word(), word()
    deleted = send(member, public_room, f"Marhaba {old}")
    messages.do_add_reaction(moderator, deleted, "👍")
    edited = send(member, public_room, f"Marhaba {old}2")
    messages.do_edit_message(member, edited, f"Marhaba {kept}")
    messages.do_delete_message(moderator, deleted)
    # The log as it was stored before the rewrite existed: every frame as sent, no reference.
    for seq, body in [(1, f"Marhaba {old}"), (3, f"Marhaba {old}2")]:  # the two message.new
        payload = RoomEvent.objects.get(room=public_room, seq=seq).payload
        payload["message"].update(body=body, body_html=f"<p>{body}</p>", deleted=False)
        RoomEvent.objects.filter(room=public_room, seq=seq).update(payload=payload)
    RoomEvent.objects.filter(room=public_room, seq=2).update(
        payload={
            "type": "reaction.added",
            "room": public_room.pk,
            "seq": 2,
            "message": deleted.pk,
            "emoji": "👍",
            "user": {"id": moderator.pk, "username": moderator.username, "display_name": "x"},
        }
    )
    RoomEvent.objects.update(message=None)
    assert old in json.dumps(log(api, member, public_room), ensure_ascii=False)

    migration = importlib.import_module("chat.migrations.0002_roomevent_message")
    migration.rewrite_stored_frames(apps, None)

    frames = log(api, member, public_room)
    text = json.dumps(frames, ensure_ascii=False)
    assert old not in text and "👍" not in text and kept in text
    assert RoomEvent.objects.filter(message=None).count() == 0
    assert set(RoomEvent.objects.filter(message=edited).values_list("seq", flat=True)) == {3, 4}
