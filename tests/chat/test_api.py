"""Chat REST endpoints: every persona, pagination, errors, the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from chat.actions import messages
from chat.models import Message, Reaction, Room
from community.models import Network
from tests.factories.chat import make_direct_room, make_room, send

pytestmark = pytest.mark.django_db

READERS = {"owner", "moderator", "member", "staff"}


@pytest.mark.parametrize(
    "persona_name", ["owner", "moderator", "member", "pending", "banned", "outsider", "staff"]
)
def test_private_rooms_list_only_for_readers(
    api: Any, persona: Any, persona_name: str, private_room: Room
) -> None:
    response = api(persona(persona_name)).get("/api/v1/networks/medical/rooms/")
    if persona_name in READERS:
        assert response.status_code == 200
        assert [r["name"] for r in response.json()["results"]] == ["Cas cliniques"]
    else:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_anonymous_gets_401(api: Any, public_room: Room) -> None:
    assert api(None).get("/api/v1/networks/germany/rooms/").status_code == 401
    assert api(None).get(f"/api/v1/rooms/{public_room.pk}/messages/").status_code == 401


def test_rooms_list_carries_unread_counts(
    api: Any, member: Any, moderator: Any, public_network: Any
) -> None:
    quiet = make_room(public_network, name="A quiet room")
    busy = make_room(public_network, name="Busy")
    for i in range(3):
        send(moderator, busy, f"m{i}")
    send(member, quiet, "my own message does not count")
    rows = api(member).get("/api/v1/networks/germany/rooms/").json()["results"]
    assert {r["name"]: r["unread"] for r in rows} == {"A quiet room": 0, "Busy": 3}
    assert rows[0]["network"] == "germany" and rows[0]["kind"] == "channel"


def test_moderators_create_rooms(
    api: Any, member: Any, moderator: Any, public_network: Any
) -> None:
    body = {"name": "Annonces", "posting": "moderators"}
    response = api(member).post("/api/v1/networks/germany/rooms/", body, format="json")
    assert response.status_code == 403
    response = api(moderator).post("/api/v1/networks/germany/rooms/", body, format="json")
    assert response.status_code == 201
    assert response.json()["posting"] == "moderators"
    bad = api(moderator).post("/api/v1/networks/germany/rooms/", {"name": ""}, format="json")
    assert bad.status_code == 400 and "name" in bad.json()["error"]["fields"]


def test_send_over_rest_is_idempotent_with_client_id(
    api: Any, member: Any, public_room: Room
) -> None:
    client = api(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    first = client.post(url, {"body": "مرحبا *بكم*", "client_id": "k1"}, format="json")
    again = client.post(url, {"body": "مرحبا *بكم*", "client_id": "k1"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["body_html"] == '<p dir="auto">مرحبا <em>بكم</em></p>\n'
    assert Message.objects.count() == 1


@pytest.mark.parametrize("persona_name", ["pending", "banned", "outsider"])
def test_non_members_cannot_send_over_rest(
    api: Any, persona: Any, persona_name: str, public_room: Room
) -> None:
    response = api(persona(persona_name)).post(
        f"/api/v1/rooms/{public_room.pk}/messages/", {"body": "hi"}, format="json"
    )
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_hidden_room_looks_missing(api: Any, outsider: Any, hidden_room: Room, member: Any) -> None:
    message = send(member, hidden_room)
    client = api(outsider)
    assert client.get(f"/api/v1/rooms/{hidden_room.pk}/messages/").status_code == 404
    assert client.get(f"/api/v1/rooms/{hidden_room.pk}/events/").status_code == 404
    assert client.get(f"/api/v1/rooms/{hidden_room.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/messages/{message.pk}/", {"body": "x"}, format="json").status_code
        == 404
    )
    assert client.get("/api/v1/rooms/999999/messages/").status_code == 404


def test_history_pages_back_and_forth_by_id(api: Any, member: Any, public_room: Room) -> None:
    sent = [send(member, public_room, f"m{i}") for i in range(7)]
    client = api(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    latest = client.get(url, {"limit": 3}).json()
    assert [m["body"] for m in latest["results"]] == ["m4", "m5", "m6"]
    older = client.get(url, {"limit": 3, "before": latest["next"]}).json()
    assert [m["body"] for m in older["results"]] == ["m1", "m2", "m3"]
    oldest = client.get(url, {"limit": 3, "before": older["next"]}).json()
    assert [m["body"] for m in oldest["results"]] == ["m0"] and oldest["next"] is None
    forward = client.get(url, {"limit": 4, "after": sent[1].pk}).json()
    assert [m["body"] for m in forward["results"]] == ["m2", "m3", "m4", "m5"]
    assert client.get(url, {"before": "x"}).status_code == 400
    assert client.get(url, {"before": 1, "after": 2}).status_code == 400


def test_history_shows_reactions_and_hides_deleted_text(
    api: Any, member: Any, moderator: Any, public_room: Room
) -> None:
    kept = send(member, public_room, "kept")
    gone = send(member, public_room, "gone")
    messages.do_add_reaction(moderator, kept, "👍")
    messages.do_add_reaction(member, kept, "👍")
    messages.do_delete_message(member, gone)
    rows = api(member).get(f"/api/v1/rooms/{public_room.pk}/messages/").json()["results"]
    assert rows[0]["reactions"] == [{"emoji": "👍", "count": 2, "me": True}]
    assert rows[1]["deleted"] and rows[1]["body"] == "" and rows[1]["body_html"] == ""


def test_history_query_count_does_not_grow_with_page(
    api: Any, member: Any, moderator: Any, public_room: Room, django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        message = send(moderator if i % 2 else member, public_room, f"m{i}")
        messages.do_add_reaction(member, message, "🎉")
    client = api(member)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/rooms/{public_room.pk}/messages/")
    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("count", [3, 30])
def test_room_list_costs_three_queries_with_unread_counts(
    api: Any,
    member: Any,
    moderator: Any,
    public_network: Network,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    for i in range(count):
        send(moderator, make_room(public_network, name=f"room {i:02}"), "hello")
    client = api(member)
    # the token (with its user), the network with my membership, the rooms with my counts
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/networks/{public_network.slug}/rooms/?limit=100")
    assert [room["unread"] for room in response.json()["results"]] == [1] * count


def test_event_log_pages_after_seq(api: Any, member: Any, public_room: Room) -> None:
    message = send(member, public_room, "v1")
    messages.do_edit_message(member, message, "v2")
    messages.do_add_reaction(member, message, "🔥")
    client = api(member)
    url = f"/api/v1/rooms/{public_room.pk}/events/"
    page = client.get(url, {"after_seq": 0, "limit": 2}).json()
    assert [e["type"] for e in page["results"]] == ["message.new", "message.edited"]
    assert page["seq"] == 3 and page["next"] == "2"
    rest = client.get(url, {"after_seq": page["next"]}).json()
    assert [e["seq"] for e in rest["results"]] == [3] and rest["next"] is None
    assert client.get(url, {"after_seq": -1}).status_code == 400


def test_edit_and_delete_over_rest(
    api: Any, member: Any, moderator: Any, outsider: Any, public_room: Room
) -> None:
    message = send(member, public_room, "draft")
    url = f"/api/v1/messages/{message.pk}/"
    assert api(moderator).patch(url, {"body": "no"}, format="json").status_code == 403
    edited = api(member).patch(url, {"body": "final"}, format="json")
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    assert api(outsider).delete(url).status_code == 403
    deleted = api(moderator).delete(url)
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert api(member).delete(url).status_code == 409


def test_reactions_over_rest(api: Any, member: Any, public_room: Room) -> None:
    message = send(member, public_room)
    url = f"/api/v1/messages/{message.pk}/reactions/"
    assert api(member).post(url, {"emoji": "🇲🇦"}, format="json").status_code == 204
    assert api(member).delete(url, {"emoji": "🇲🇦"}, format="json").status_code == 204
    assert message.reactions.count() == 0


@pytest.mark.parametrize("emoji", ["hello", "👍👍", "👍 👍", "<b>👍</b>", "1", "🇲", "\u200d👍"])
def test_a_chat_reaction_is_one_emoji_as_in_the_forums(
    api: Any, member: Any, public_room: Room, emoji: str
) -> None:
    message = send(member, public_room)
    response = api(member).post(
        f"/api/v1/messages/{message.pk}/reactions/", {"emoji": emoji}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_emoji"
    assert message.reactions.count() == 0


def test_a_reaction_stored_before_the_emoji_rule_can_still_be_withdrawn(
    api: Any, member: Any, public_room: Room
) -> None:
    message = send(member, public_room)
    Reaction.objects.create(message=message, user=member, emoji="⭐⭐")  # the old rule let it in
    url = f"/api/v1/messages/{message.pk}/reactions/"
    assert api(member).delete(url, {"emoji": "⭐⭐"}, format="json").status_code == 204
    assert message.reactions.count() == 0
    too_long = api(member).delete(url, {"emoji": "⭐" * 33}, format="json")
    assert too_long.status_code == 400


def test_read_marker_over_rest(api: Any, member: Any, moderator: Any, public_room: Room) -> None:
    sent = [send(moderator, public_room, f"m{i}") for i in range(4)]
    url = f"/api/v1/rooms/{public_room.pk}/read/"
    response = api(member).post(url, {"message_id": sent[1].pk}, format="json")
    assert response.json() == {"room": public_room.pk, "last_read_seq": 2, "unread": 2}
    assert api(member).post(url, {"message_id": 10**9}, format="json").status_code == 400
    assert api(member).post(url, {}, format="json").status_code == 400


def test_direct_rooms_over_rest(
    api: Any, member: Any, moderator: Any, outsider: Any, public_network: Any
) -> None:
    first = api(member).post("/api/v1/direct/", {"user_id": moderator.pk}, format="json")
    assert first.status_code == 201
    assert first.json()["kind"] == "direct"
    assert first.json()["other_user"]["username"] == "moderator"
    again = api(moderator).post("/api/v1/direct/", {"user_id": member.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["other_user"]["username"] == "member"
    assert (
        api(member).post("/api/v1/direct/", {"user_id": outsider.pk}, format="json").status_code
        == 404
    )
    assert api(member).post("/api/v1/direct/", {"user_id": "x"}, format="json").status_code == 400
    listed = api(member).get("/api/v1/direct/").json()["results"]
    assert [r["id"] for r in listed] == [first.json()["id"]]
    assert api(outsider).get("/api/v1/direct/").json()["results"] == []


def test_direct_room_unread_for_the_other_user(
    api: Any, member: Any, moderator: Any, public_network: Any
) -> None:
    room = make_direct_room(member, moderator)
    send(member, room, "salut")
    listed = api(moderator).get("/api/v1/direct/").json()["results"]
    assert listed[0]["unread"] == 1


def test_bad_json_and_wrong_types_are_400(api: Any, member: Any, public_room: Room) -> None:
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    client = api(member)
    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    assert client.post(url, {"body": ""}, format="json").status_code == 400
    assert client.post(url, {"body": "x", "reply_to": "y"}, format="json").status_code == 400
    assert client.post(url, [1, 2], format="json").status_code == 400


def test_chat_paths_are_in_the_openapi_schema(api: Any, member: Any) -> None:
    response = api(member).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in {
        "/api/v1/networks/{slug}/rooms/": {"get", "post"},
        "/api/v1/direct/": {"get", "post"},
        "/api/v1/rooms/{room_id}/messages/": {"get", "post"},
        "/api/v1/rooms/{room_id}/events/": {"get"},
        "/api/v1/rooms/{room_id}/read/": {"post"},
        "/api/v1/messages/{message_id}/": {"patch", "delete"},
    }.items():
        assert methods <= set(paths[path]), path
