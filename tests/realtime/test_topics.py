"""Forum topics live over /ws/: `topic.subscribe`, then the topic's forums.* events.

Who may watch a topic is exactly who may read it over REST; everything else gets
the very `error` frame an unknown id gets. Events are the ones
community/forums/events.py sends to `topic.<id>`, delivered by the realtime hub.
"""

from __future__ import annotations

from typing import Any

import pytest

from realtime import consumers
from realtime.hub import get_hub
from tests._queries import AllQueries
from tests._ws import db
from tests.factories.chat import make_room
from tests.factories.forums import make_poster, make_topic
from tests.factories.users import client_for
from tests.realtime._topics import (
    MISSING,
    NOTICES,
    delete_post,
    delete_topic,
    edit,
    react,
    refusal,
    reply,
    rest_status,
    restore_post,
    update_topic,
)
from tests.realtime.conftest import Forum

pytestmark = pytest.mark.django_db(transaction=True)


# --- who may watch ---------------------------------------------------------------------------

WATCHERS = {
    "public": {"owner", "moderator", "member", "pending", "outsider", "staff"},
    "private": {"owner", "moderator", "member", "staff"},
    "hidden": {"owner", "moderator", "member", "staff"},
}


@pytest.mark.parametrize("kind", ["public", "private", "hidden"])
async def test_who_may_watch_a_topic_is_who_may_read_it_over_rest(
    connect: Any, personas: dict[str, Any], forum: Forum, kind: str
) -> None:
    topic_id = forum.topic.pk
    clients = {name: await connect(user) for name, user in personas.items()}
    unknown = await refusal(clients["member"], MISSING)
    assert unknown == {
        "type": "error",
        "code": "not_found",
        "message": unknown["message"],
        "ref": "topic.subscribe",
    }
    for name, client in clients.items():
        status = await db(rest_status)(personas[name], topic_id)
        await client.send(type="topic.subscribe", topic=topic_id)
        if name in WATCHERS[kind]:
            assert status == 200, name
            assert await client.expect("topic.subscribed") == {
                "type": "topic.subscribed",
                "topic": topic_id,
            }
        elif kind == "public" and name == "banned":
            # Over REST too: a banned member of a public network is told so (403).
            assert status == 403
            assert (await client.expect("error"))["code"] == "banned"
        else:
            assert status == 404, name
            assert await client.expect("error") == unknown, name

    await db(reply)(personas["moderator"], topic_id, f"Du nouveau ({kind})")
    for name, client in clients.items():
        if name in WATCHERS[kind]:
            frame = await client.expect("forums.post")
            assert frame["post"]["body"] == f"Du nouveau ({kind})", name
        else:
            assert await client.nothing(0.2, ignore=NOTICES), name


async def test_a_deleted_topic_is_watched_by_moderators_only(
    connect: Any, personas: dict[str, Any], private_forum: Forum
) -> None:
    topic_id = private_forum.topic.pk
    await db(delete_topic)(personas["moderator"], topic_id)
    member = await connect(personas["member"])
    unknown = await refusal(member, MISSING)
    assert await refusal(member, topic_id) == unknown
    for name in ("owner", "moderator", "staff"):
        client = await connect(personas[name])
        await client.watch(topic_id)


async def test_bad_topic_frames_get_errors_and_the_socket_stays_open(
    connect: Any, member: Any
) -> None:
    client = await connect(member)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"type": "topic.subscribe"}, "missing_field"),
        ({"type": "topic.subscribe", "topic": "1"}, "invalid_field"),
        ({"type": "topic.subscribe", "topic": True}, "invalid_field"),
        ({"type": "topic.subscribe", "topic": -1}, "invalid_field"),
        ({"type": "topic.subscribe", "topic": 0}, "not_found"),
        ({"type": "topic.subscribe", "topic": 2**70}, "not_found"),
        ({"type": "topic.unsubscribe", "topic": None}, "missing_field"),
    ]
    for frame, code in cases:
        await client.send(**frame)
        error = await client.expect("error")
        assert (error["code"], error["ref"]) == (code, frame["type"]), frame
    await client.send(type="ping")
    await client.expect("pong")


# --- what a watcher receives ----------------------------------------------------------------


async def test_every_kind_of_forum_event_reaches_a_watcher(
    connect: Any, member: Any, moderator: Any, public_forum: Forum
) -> None:
    topic_id = public_forum.topic.pk
    watcher = await connect(member)
    await watcher.watch(topic_id)

    post = await db(reply)(moderator, topic_id, "Bonjour **à tous**")
    new = await watcher.expect("forums.post")
    assert new["topic"] == topic_id
    assert new["post"]["id"] == post.pk
    assert new["post"]["body"] == "Bonjour **à tous**"
    assert "<strong>à tous</strong>" in new["post"]["body_html"]
    assert new["post"]["author"]["username"] == "moderator"

    await db(edit)(moderator, post.pk, "مرحبا بالجميع")
    edited = await watcher.expect("forums.post_edited")
    assert (edited["post"]["id"], edited["post"]["body"]) == (post.pk, "مرحبا بالجميع")
    assert edited["post"]["edited_at"] is not None

    await db(react)(moderator, post.pk, "👍")
    added = await watcher.expect("forums.reaction_added")
    assert (added["post"], added["emoji"], added["count"]) == (post.pk, "👍", 1)
    assert added["user"]["username"] == "moderator"
    await db(react)(member, post.pk, "👍")
    assert (await watcher.expect("forums.reaction_added"))["count"] == 2
    await db(react)(moderator, post.pk, "👍", add=False)
    removed = await watcher.expect("forums.reaction_removed")
    assert (removed["post"], removed["emoji"], removed["count"]) == (post.pk, "👍", 1)

    await db(delete_post)(moderator, post.pk)
    deleted = await watcher.expect("forums.post_deleted")
    assert deleted["post"]["id"] == post.pk and deleted["post"]["deleted"] is True
    assert deleted["post"]["body"] == "" and deleted["post"]["body_html"] == ""
    await db(restore_post)(moderator, post.pk)
    restored = await watcher.expect("forums.post_restored")
    assert restored["post"]["body"] == "مرحبا بالجميع"

    await db(update_topic)(moderator, topic_id, pinned=True, title="Télémédecine (épinglé)")
    updated = await watcher.expect("forums.topic_updated")
    assert updated["changes"] == ["pinned", "title"]
    assert updated["topic"]["id"] == topic_id and updated["topic"]["pinned"] is True
    assert updated["topic"]["title"] == "Télémédecine (épinglé)"
    assert await watcher.nothing(0.2, ignore=NOTICES)


async def test_one_event_reaches_every_watcher_once_and_only_the_topics_watchers(
    connect: Any, member: Any, moderator: Any, owner: Any, public_forum: Forum
) -> None:
    topic_id = public_forum.topic.pk
    other_topic = await db(make_topic)(public_forum.category, member, "Autre sujet")
    tabs = [await connect(member), await connect(member), await connect(owner)]
    for tab in tabs:
        await tab.watch(topic_id)
        await tab.watch(topic_id)  # watching again changes nothing
    elsewhere = await connect(moderator)
    await elsewhere.watch(other_topic.pk)
    await db(reply)(moderator, topic_id, "une fois")
    for tab in tabs:
        assert (await tab.expect("forums.post"))["post"]["body"] == "une fois"
        assert await tab.nothing(0.2, ignore=NOTICES)
    assert await elsewhere.nothing(0.2, ignore=NOTICES)


async def test_unsubscribed_socket_receives_nothing_more(
    connect: Any, member: Any, moderator: Any, public_forum: Forum
) -> None:
    topic_id = public_forum.topic.pk
    leaving, staying = await connect(member), await connect(member)
    await leaving.watch(topic_id)
    await staying.watch(topic_id)
    await leaving.send(type="topic.unsubscribe", topic=topic_id)
    assert await leaving.expect("topic.unsubscribed") == {
        "type": "topic.unsubscribed",
        "topic": topic_id,
    }
    post = await db(reply)(moderator, topic_id, "après le départ")
    await db(react)(moderator, post.pk, "🎉")
    await db(update_topic)(moderator, topic_id, locked=True)
    assert (await staying.expect("forums.post"))["post"]["id"] == post.pk
    await staying.expect("forums.reaction_added")
    await staying.expect("forums.topic_updated")
    assert await leaving.nothing(0.3, ignore=NOTICES)


async def test_another_networks_topics_never_reach_a_socket(
    connect: Any,
    moderator: Any,
    public_forum: Forum,
    private_forum: Forum,
    hidden_forum: Forum,
) -> None:
    """Someone who only belongs to the public network, guessing the other topics' ids."""
    stranger = await db(make_poster)(public_forum.network, "stranger")
    client = await connect(stranger)
    await client.watch(public_forum.topic.pk)
    unknown = await refusal(client, MISSING)
    for forum in (private_forum, hidden_forum):
        assert await refusal(client, forum.topic.pk) == unknown
    for forum in (private_forum, hidden_forum):
        post = await db(reply)(moderator, forum.topic.pk, "confidentiel")
        await db(react)(moderator, post.pk, "👍")
        await db(update_topic)(moderator, forum.topic.pk, pinned=True)
    await db(reply)(moderator, public_forum.topic.pk, "pour tous")
    frames = await client.drain(0.3)
    assert [f["type"] for f in frames if f["type"] not in NOTICES] == ["forums.post"]
    assert "confidentiel" not in str(frames)


async def test_a_mention_reaches_the_named_members_sockets(
    connect: Any, member: Any, moderator: Any, public_forum: Forum
) -> None:
    client = await connect(member)  # watching nothing
    post = await db(reply)(moderator, public_forum.topic.pk, "@member, une question pour toi")
    assert await client.expect("forums.mention") == {
        "type": "forums.mention",
        "network": public_forum.network.pk,
        "topic": public_forum.topic.pk,
        "post": post.pk,
    }
    await client.send(type="ping")
    await client.expect("pong")


# --- limits, cost, recovery ----------------------------------------------------------------


async def test_watched_topics_per_socket_are_limited(
    connect: Any, member: Any, public_forum: Forum, monkeypatch: Any
) -> None:
    monkeypatch.setattr(consumers, "MAX_TOPIC_SUBSCRIPTIONS", 2)
    topics = [public_forum.topic.pk] + [
        (await db(make_topic)(public_forum.category, member)).pk for _ in range(2)
    ]
    client = await connect(member)
    await client.watch(topics[0])
    await client.watch(topics[1])
    await client.send(type="topic.subscribe", topic=topics[2])
    error = await client.expect("error")
    assert (error["code"], error["ref"]) == ("too_many_subscriptions", "topic.subscribe")
    await client.watch(topics[0])  # watching a watched topic again is fine
    await client.subscribe(await db(make_room)(public_forum.network))  # rooms count apart
    await client.send(type="topic.unsubscribe", topic=topics[1])
    await client.expect("topic.unsubscribed")
    await client.watch(topics[2])


async def test_topic_subscribe_costs_a_fixed_number_of_queries(
    connect: Any, member: Any, outsider: Any, moderator: Any, public_forum: Forum
) -> None:
    """The topic joined to its network, then the caller's grants on it (and, for a
    non-member of a public network, whether a membership bans them): whatever the
    topic holds."""
    for i in range(20):
        await db(reply)(moderator, public_forum.topic.pk, f"message {i}")
    counts = []
    for user in (member, outsider):
        client = await connect(user)
        with AllQueries() as queries:
            await client.watch(public_forum.topic.pk)
        counts.append(queries.count)
    assert counts == [2, 3]


async def test_after_a_channel_layer_failure_watchers_are_told_to_catch_up(
    connect: Any, member: Any, moderator: Any, public_forum: Forum
) -> None:
    """Forum events have no seq: after the hub re-joins its groups, every watcher gets
    `topic.subscribed` again and fetches what it missed through REST."""
    topic_id = public_forum.topic.pk
    client = await connect(member)
    await client.watch(topic_id)
    get_hub()._layer_failed()
    assert await client.expect("topic.subscribed", wait=3) == {
        "type": "topic.subscribed",
        "topic": topic_id,
    }
    post = await db(reply)(moderator, topic_id, "toujours en direct")
    assert (await client.expect("forums.post"))["post"]["id"] == post.pk
    catch_up = await db(
        lambda: client_for(member).get(f"/api/v1/topics/{topic_id}/posts/?after={post.pk - 1}")
    )()
    assert [p["id"] for p in catch_up.json()["results"]] == [post.pk]
