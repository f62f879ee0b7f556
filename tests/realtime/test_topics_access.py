"""Forum topics whose access changes under a live socket: a ban or removal, a network
turning hidden, a deleted topic (moderators only), a demoted moderator, and the races
of a deletion with the access check or with a failing layer."""

from __future__ import annotations

from typing import Any

import pytest

from realtime import consumer_db
from realtime.hub import get_hub
from tests._ws import db
from tests.factories.users import client_for
from tests.realtime._topics import (
    NOTICES,
    delete_topic,
    edit,
    member_action,
    react,
    refusal,
    reply,
    update_topic,
)
from tests.realtime.conftest import Forum

pytestmark = pytest.mark.django_db(transaction=True)


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
