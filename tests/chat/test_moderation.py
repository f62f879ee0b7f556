"""Moderation in chat that the member cannot undo, and that respects rank (issue #11, §3).

A mute outlives leaving and rejoining on the websocket too; a moderator takes down the
messages of members, never an owner's or another moderator's, and an owner never
another owner's. Every door (REST, websocket) asks the same action.
"""

from __future__ import annotations

from typing import Any

import pytest

from chat.actions import messages
from chat.models import Message, Room
from community.actions import membership
from community.models import AuditEntry, Membership, Network
from core.errors import NotAllowed
from tests.chat.conftest import db
from tests.community.helpers import assert_error
from tests.factories.chat import send

Role = Membership.Role


def _fresh(network: Network) -> Network:
    return Network.objects.get(pk=network.pk)


def _leave_and_rejoin(user: Any, network: Network) -> None:
    membership.do_leave_network(user, _fresh(network))
    membership.do_join_network(user, _fresh(network))


@pytest.mark.django_db(transaction=True)
async def test_a_muted_member_who_rejoins_still_cannot_send_over_the_websocket(
    connect: Any, owner: Any, member: Any, public_network: Network, public_room: Room
) -> None:
    await db(membership.do_mute_member)(owner, public_network, member.pk, 600)
    await db(_leave_and_rejoin)(member, public_network)

    client = await connect(member)
    await client.subscribe(public_room)
    await client.send(type="message.send", room=public_room.pk, body="back!", client_id="r1")

    error = await client.expect("error")
    assert (error["code"], error["ref"]) == ("muted", "r1")
    assert not await db(Message.objects.filter(body="back!").exists)()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_kept_open_across_leaving_and_rejoining_stays_muted(
    connect: Any, owner: Any, member: Any, public_network: Network, public_room: Room
) -> None:
    client = await connect(member)
    await db(membership.do_mute_member)(owner, public_network, member.pk, 600)
    await db(_leave_and_rejoin)(member, public_network)
    await client.drain(0.3)  # membership and access.revoked frames

    await client.subscribe(public_room)
    await client.send(type="message.send", room=public_room.pk, body="sneaky", client_id="r2")

    error = await client.expect("error")
    assert (error["code"], error["ref"]) == ("muted", "r2")
    assert not await db(Message.objects.filter(body="sneaky").exists)()


# --- who may take down whose messages ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "author"),
    [
        ("moderator", "owner"),
        ("moderator", "second_moderator"),
        ("owner", "co_owner"),
    ],
)
def test_moderators_cannot_delete_the_messages_of_their_equals_or_betters(
    api: Any, request: pytest.FixtureRequest, public_room: Room, actor: str, author: str
) -> None:
    deleter, writer = request.getfixturevalue(actor), request.getfixturevalue(author)
    message = send(writer, public_room, "words of a higher or equal rank")

    response = api(deleter).delete(f"/api/v1/messages/{message.pk}/")

    assert_error(response, 403, "rank")
    message.refresh_from_db()
    assert not message.deleted
    assert not AuditEntry.objects.filter(action="chat.message.delete").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "author"),
    [("moderator", "member"), ("owner", "member"), ("owner", "moderator"), ("staff", "owner")],
)
def test_a_higher_rank_deletes_a_message_and_it_is_audited(
    api: Any, request: pytest.FixtureRequest, public_room: Room, actor: str, author: str
) -> None:
    deleter, writer = request.getfixturevalue(actor), request.getfixturevalue(author)
    message = send(writer, public_room, "to be taken down")

    response = api(deleter).delete(f"/api/v1/messages/{message.pk}/")

    assert response.status_code == 200, response.content
    message.refresh_from_db()
    assert message.deleted
    entry = AuditEntry.objects.get(action="chat.message.delete")
    assert (entry.actor, entry.target_user_id, entry.target_id) == (deleter, writer.pk, message.pk)


@pytest.mark.django_db
def test_a_moderator_may_still_delete_their_own_message(moderator: Any, public_room: Room) -> None:
    message = send(moderator, public_room, "mine")
    assert messages.do_delete_message(moderator, message).deleted
    assert not AuditEntry.objects.filter(action="chat.message.delete").exists()


@pytest.mark.django_db(transaction=True)
async def test_a_moderator_cannot_delete_an_owners_message_over_the_websocket(
    connect: Any, owner: Any, moderator: Any, public_room: Room
) -> None:
    message = await db(send)(owner, public_room, "the owner's announcement")
    client = await connect(moderator)
    await client.subscribe(public_room)

    await client.send(type="message.delete", id=message.pk)

    error = await client.expect("error")
    assert error["code"] == "rank"
    await db(message.refresh_from_db)()
    assert not message.deleted


@pytest.mark.django_db
def test_the_rank_rule_is_the_actions_so_every_door_has_it(
    moderator: Any, owner: Any, public_room: Room
) -> None:
    message = send(owner, public_room, "owner words")
    with pytest.raises(NotAllowed) as refused:
        messages.do_delete_message(moderator, message)
    assert refused.value.code == "rank"
