"""Access changing under a live socket: muted, moderators-only rooms, and losing a network
(ban, removal, leaving, a network turning hidden) revoking at once."""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import get_channel_layer

from chat.models import Room
from community.actions import membership, networks
from community.models import Network
from core import events as core_events
from tests._queries import AllQueries
from tests._ws import db
from tests.factories.chat import make_room, send

pytestmark = pytest.mark.django_db(transaction=True)

# --- muted, moderators-only, archived ----------------------------------------------------------


async def test_muted_member_reads_but_cannot_send(
    connect: Any,
    owner: Any,
    member: Any,
    moderator: Any,
    public_network: Network,
    public_room: Room,
) -> None:
    await db(membership.do_mute_member)(owner, public_network, member.pk, 10)
    client = await connect(member)
    await client.subscribe(public_room)
    await client.send(type="message.send", room=public_room.pk, body="hi", client_id="m1")
    error = await client.expect("error")
    assert (error["code"], error["ref"]) == ("muted", "m1")
    await db(send)(moderator, public_room, "you can read this")
    assert (await client.expect("message.new"))["message"]["body"] == "you can read this"


async def test_moderators_only_room_over_websocket(
    connect: Any, member: Any, moderator: Any, public_network: Network
) -> None:
    room = await db(make_room)(public_network, name="Annonces", posting=Room.Posting.MODERATORS)
    member_client, mod_client = await connect(member), await connect(moderator)
    await member_client.send(type="message.send", room=room.pk, body="x", client_id="a")
    assert (await member_client.expect("error"))["code"] == "moderators_only"
    await mod_client.send(type="message.send", room=room.pk, body="Annonce", client_id="b")
    await mod_client.expect("message.ack")


# --- revocation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["ban", "remove", "leave"])
async def test_losing_membership_revokes_at_once_and_nothing_follows(
    connect: Any,
    owner: Any,
    member: Any,
    moderator: Any,
    private_network: Network,
    private_room: Room,
    how: str,
) -> None:
    victim = await connect(member)
    other_tab = await connect(member)
    await victim.subscribe(private_room)
    await other_tab.subscribe(private_room)
    if how == "ban":
        await db(membership.do_ban_member)(owner, private_network, member.pk, "spam")
    elif how == "remove":
        await db(membership.do_remove_member)(owner, private_network, member.pk)
    else:
        await db(membership.do_leave_network)(member, private_network)
    for tab in (victim, other_tab):
        revoked = await tab.expect("access.revoked", wait=1)
        assert revoked == {"type": "access.revoked", "network": private_network.pk}
    await db(send)(moderator, private_room, "after the ban")
    await db(send)(owner, private_room, "still private")
    for tab in (victim, other_tab):
        assert await tab.nothing(0.3, ignore={"membership", "presence"})
    await victim.send(type="subscribe", room=private_room.pk)
    assert (await victim.expect("error"))["code"] == "not_found"
    await victim.send(type="message.send", room=private_room.pk, body="x", client_id="z")
    assert (await victim.expect("error"))["code"] == "not_found"


@pytest.mark.parametrize("membership_lost", [False, True])
async def test_a_ban_makes_the_socket_read_its_access_once(
    connect: Any,
    owner: Any,
    member: Any,
    private_network: Network,
    private_room: Room,
    monkeypatch: pytest.MonkeyPatch,
    membership_lost: bool,
) -> None:
    """A ban sends the user `community.membership`, then `access.revoked`: the socket
    re-reads what it may read once, for the first (the networks it reads, from the
    database as the ban emptied their cache, and those it is an active member of), and
    the second only stops the network's rooms and tells the client — unless the first
    was lost on the way (the layer delivers at most once): then the second re-reads."""
    client = await connect(member)
    await client.subscribe(private_room)
    sent: list[tuple[str, dict[str, Any]]] = []
    # The ban's events are held back, then delivered while only the socket's queries run.
    monkeypatch.setattr(core_events, "send_event_now", lambda *event: sent.append(event))
    await db(membership.do_ban_member)(owner, private_network, member.pk, "spam")
    monkeypatch.undo()
    assert [e["type"] for group, e in sent if group == f"user.{member.pk}"] == [
        "community.membership",
        "access.revoked",
    ]
    if membership_lost:
        sent = [(g, e) for g, e in sent if e["type"] != "community.membership"]
    layer = get_channel_layer()
    with AllQueries() as queries:
        for group, event in sent:
            await layer.group_send(group, event)
        assert (await client.expect("access.revoked"))["network"] == private_network.pk
        await client.drain(0.5)
    assert queries.count == 2, queries.sql


async def test_banned_keeps_other_networks(
    connect: Any,
    owner: Any,
    member: Any,
    moderator: Any,
    public_room: Room,
    private_network: Network,
    private_room: Room,
) -> None:
    client = await connect(member)
    await client.subscribe(public_room)
    await client.subscribe(private_room)
    await db(membership.do_ban_member)(owner, private_network, member.pk, "")
    await client.expect("access.revoked")
    await db(send)(moderator, public_room, "still here")
    assert (await client.expect("message.new"))["room"] == public_room.pk


async def test_network_turning_hidden_revokes_non_members(
    connect: Any,
    owner: Any,
    outsider: Any,
    member: Any,
    public_network: Network,
    public_room: Room,
) -> None:
    reader = await connect(outsider)
    insider = await connect(member)
    await reader.subscribe(public_room)
    await insider.subscribe(public_room)
    await db(networks.do_update_network)(owner, public_network, visibility="hidden")
    revoked = await reader.expect("access.revoked", wait=1)
    assert revoked["network"] == public_network.pk
    await db(send)(owner, public_room, "members only now")
    assert await reader.nothing(0.3)
    assert (await insider.expect("message.new"))["message"]["body"] == "members only now"
