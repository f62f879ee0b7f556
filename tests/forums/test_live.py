"""Forum topics live over /ws/: `topic.subscribe`, then the topic's forums.* events.

Who may watch a topic is exactly who may read it over REST; everything else gets
the very `error` frame an unknown id gets. Events are the ones
community/forums/events.py sends to `topic.<id>`, delivered by the chat hub.
"""

from __future__ import annotations

from typing import Any

import pytest

from community.forums import access, actions
from community.models import Network
from realtime import consumer_db, consumers
from realtime.hub import get_hub
from tests._queries import AllQueries
from tests._ws import db
from tests.factories.chat import make_room
from tests.factories.forums import make_poster, make_topic
from tests.factories.users import client_for
from tests.forums.conftest import Forum

pytestmark = pytest.mark.django_db(transaction=True)

# Frames about the persona's own world that may arrive at any time.
NOTICES = {"presence", "membership", "unread"}
MISSING = 2**62


# --- the writes, as the API makes them (objects read fresh: memberships change) -----------


def reply(user: Any, topic_id: int, body: str) -> Any:
    return actions.do_reply(user, access.access_topic(user, topic_id), body)


def edit(user: Any, post_id: int, body: str) -> Any:
    return actions.do_edit_post(user, access.access_post(user, post_id), body)


def delete_post(user: Any, post_id: int) -> Any:
    return actions.do_delete_post(user, access.access_post(user, post_id))


def restore_post(user: Any, post_id: int) -> Any:
    return actions.do_restore_post(user, access.access_post(user, post_id))


def react(user: Any, post_id: int, emoji: str, *, add: bool = True) -> None:
    post = access.access_post(user, post_id)
    if add:
        actions.do_add_reaction(user, post, emoji)
    else:
        actions.do_remove_reaction(user, post, emoji)


def update_topic(user: Any, topic_id: int, **changes: Any) -> Any:
    return actions.do_update_topic(user, access.access_topic(user, topic_id), **changes)


def delete_topic(user: Any, topic_id: int) -> Any:
    return actions.do_delete_topic(user, access.access_topic(user, topic_id))


def member_action(owner: Any, network: Network, user: Any, action: str, **body: Any) -> None:
    """A moderation action through the REST API (the path a moderator's client takes)."""
    path = f"/api/v1/networks/{network.slug}/members/{user.pk}/{action}/"
    response = client_for(owner).post(path, body, format="json")
    assert response.status_code == 200, response.content


def rest_status(user: Any, topic_id: int) -> int:
    return int(client_for(user).get(f"/api/v1/topics/{topic_id}/").status_code)


@pytest.fixture
def forum(kind: str, request: pytest.FixtureRequest) -> Forum:
    """The persona networks' forum of the parametrized `kind` (public, private, hidden)."""
    found: Forum = request.getfixturevalue(f"{kind}_forum")
    return found


async def refusal(client: Any, topic_id: int) -> dict[str, Any]:
    await client.send(type="topic.subscribe", topic=topic_id)
    return await client.expect("error")


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


@pytest.mark.parametrize(
    ("kind", "action", "refused"),
    [
        ("private", "ban", "not_found"),
        ("private", "remove", "not_found"),
        ("public", "ban", "banned"),
    ],
)
async def test_a_ban_or_removal_stops_the_networks_topics_at_once(
    connect: Any,
    owner: Any,
    member: Any,
    moderator: Any,
    forum: Forum,
    kind: str,
    action: str,
    refused: str,
) -> None:
    topic_id = forum.topic.pk
    victim, other_tab, control = await connect(member), await connect(member), await connect(owner)
    for client in (victim, other_tab, control):
        await client.watch(topic_id)
    body = {"reason": "spam"} if action == "ban" else {}
    await db(member_action)(owner, forum.network, member, action, **body)
    for tab in (victim, other_tab):
        revoked = await tab.expect("access.revoked", wait=1)
        assert revoked == {"type": "access.revoked", "network": forum.network.pk}

    post = await db(reply)(moderator, topic_id, "après l'exclusion")
    await db(edit)(moderator, forum.reply.pk, "modifié après l'exclusion")
    await db(react)(moderator, forum.reply.pk, "👍")
    await db(update_topic)(moderator, topic_id, title="Renommé après l'exclusion")
    assert (await control.expect("forums.post"))["post"]["id"] == post.pk
    await control.expect("forums.topic_updated")
    for tab in (victim, other_tab):
        assert await tab.nothing(0.3, ignore=NOTICES)
    assert (await refusal(victim, topic_id))["code"] == refused


async def test_a_ban_keeps_the_topics_of_other_networks(
    connect: Any, owner: Any, member: Any, moderator: Any, public_forum: Forum, private_forum: Forum
) -> None:
    client = await connect(member)
    await client.watch(public_forum.topic.pk)
    await client.watch(private_forum.topic.pk)
    await db(member_action)(owner, private_forum.network, member, "ban", reason="")
    await client.expect("access.revoked")
    await db(reply)(moderator, private_forum.topic.pk, "privé")
    await db(reply)(moderator, public_forum.topic.pk, "public")
    assert (await client.expect("forums.post"))["post"]["body"] == "public"
    assert await client.nothing(0.2, ignore=NOTICES)


async def test_a_network_turning_hidden_closes_its_topics_to_non_members(
    connect: Any, owner: Any, outsider: Any, member: Any, public_forum: Forum
) -> None:
    topic_id = public_forum.topic.pk
    reader, insider = await connect(outsider), await connect(member)
    await reader.watch(topic_id)
    await insider.watch(topic_id)
    response = await db(
        lambda: client_for(owner).patch(
            f"/api/v1/networks/{public_forum.network.slug}/",
            {"visibility": "hidden"},
            format="json",
        )
    )()
    assert response.status_code == 200
    assert (await reader.expect("access.revoked", wait=1))["network"] == public_forum.network.pk
    await db(reply)(owner, topic_id, "entre membres")
    assert (await insider.expect("forums.post"))["post"]["body"] == "entre membres"
    assert await reader.nothing(0.3, ignore=NOTICES)


async def test_deleting_a_topic_closes_it_to_its_non_moderator_watchers(
    connect: Any, member: Any, moderator: Any, public_forum: Forum
) -> None:
    topic_id = public_forum.topic.pk
    reader, mod = await connect(member), await connect(moderator)
    await reader.watch(topic_id)
    await mod.watch(topic_id)
    await db(delete_topic)(moderator, topic_id)
    for client in (reader, mod):
        updated = await client.expect("forums.topic_updated")
        assert updated["topic"]["deleted"] is True and updated["changes"] == ["deleted"]
    assert await reader.expect("access.revoked") == {"type": "access.revoked", "topic": topic_id}
    await db(edit)(moderator, public_forum.reply.pk, "relu par la modération")
    assert (await mod.expect("forums.post_edited"))["post"]["body"] == "relu par la modération"
    assert await reader.nothing(0.3, ignore=NOTICES)
    assert await mod.nothing(0.2, ignore=NOTICES)  # no access.revoked for the moderator


async def test_a_demoted_moderator_stops_watching_a_deleted_topic(
    connect: Any, owner: Any, moderator: Any, private_forum: Forum
) -> None:
    topic_id = private_forum.topic.pk
    await db(delete_topic)(moderator, topic_id)
    client = await connect(moderator)
    await client.watch(topic_id)
    await db(member_action)(owner, private_forum.network, moderator, "set-role", role="member")
    assert await client.expect("access.revoked", wait=1) == {
        "type": "access.revoked",
        "topic": topic_id,
    }
    await db(edit)(owner, private_forum.reply.pk, "après la rétrogradation")
    assert await client.nothing(0.3, ignore=NOTICES)


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


async def test_a_topic_deleted_while_access_is_read_is_not_watched(
    connect: Any, member: Any, moderator: Any, public_forum: Forum, monkeypatch: Any
) -> None:
    """The subscription is made before access is read: a deletion committed right after
    the check reaches it, so the watcher is refused or closed, never left watching."""
    topic_id = public_forum.topic.pk
    checked = consumer_db.topic_access

    def check_then_delete(user: Any, topic: int) -> tuple[int, bool, bool]:
        answer = checked(user, topic)
        delete_topic(moderator, topic)
        return answer

    monkeypatch.setattr(consumer_db, "topic_access", check_then_delete)
    reader = await connect(member)
    await reader.send(type="topic.subscribe", topic=topic_id)
    # Refused if the deletion's event reached the inactive subscription before the check
    # ended (the in-memory layer); otherwise watched, then closed by that event (Redis).
    frames = await reader.drain(1.0)
    refused = any(f["type"] == "error" and f.get("code") == "not_found" for f in frames)
    closed = {"type": "access.revoked", "topic": topic_id} in frames
    assert refused or closed, frames
    await db(edit)(moderator, public_forum.reply.pk, "seulement pour la modération")
    assert await reader.nothing(0.3, ignore=NOTICES)


async def lose_events(monkeypatch: Any) -> None:
    """From now on this process's hub drops every forum event (as a failing layer would)."""

    async def dropped(message: dict[str, Any]) -> None:
        return None

    monkeypatch.setattr(get_hub().topics, "receive", dropped)


async def test_subscribing_again_to_a_topic_no_longer_readable_stops_it(
    connect: Any, member: Any, moderator: Any, public_forum: Forum, monkeypatch: Any
) -> None:
    topic_id = public_forum.topic.pk
    reader = await connect(member)
    await reader.watch(topic_id)
    with monkeypatch.context() as patch:
        await lose_events(patch)
        await db(delete_topic)(moderator, topic_id)  # the socket never hears of it
    assert (await refusal(reader, topic_id))["code"] == "not_found"
    await db(edit)(moderator, public_forum.reply.pk, "plus pour vous")
    assert await reader.nothing(0.3, ignore=NOTICES)


async def test_a_deletion_lost_with_the_layer_closes_the_topic_on_recovery(
    connect: Any, member: Any, moderator: Any, public_forum: Forum, monkeypatch: Any
) -> None:
    topic_id = public_forum.topic.pk
    reader, mod = await connect(member), await connect(moderator)
    await reader.watch(topic_id)
    await mod.watch(topic_id)
    with monkeypatch.context() as patch:
        await lose_events(patch)
        await db(delete_topic)(moderator, topic_id)
    get_hub()._layer_failed()
    assert await reader.expect("access.revoked", wait=3) == {
        "type": "access.revoked",
        "topic": topic_id,
    }
    assert (await mod.expect("topic.subscribed", wait=3))["topic"] == topic_id
    await db(edit)(moderator, public_forum.reply.pk, "modération seulement")
    assert (await mod.expect("forums.post_edited"))["post"]["body"] == "modération seulement"
    assert await reader.nothing(0.3, ignore=NOTICES)


async def test_a_failed_access_read_leaves_no_watch_behind(
    connect: Any, member: Any, moderator: Any, public_forum: Forum, monkeypatch: Any
) -> None:
    topic_id = public_forum.topic.pk

    def failing(user: Any, topic: int) -> tuple[int, bool, bool]:
        raise RuntimeError("database went away")

    reader = await connect(member)
    with monkeypatch.context() as patch:
        patch.setattr(consumer_db, "topic_access", failing)
        await reader.send(type="topic.subscribe", topic=topic_id)
        assert (await reader.expect("error"))["code"] == "server_error"
    assert topic_id not in get_hub().topics.states
    await reader.watch(topic_id)  # and watching works again once the database answers
