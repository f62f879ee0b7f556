"""A conversation under a fault: several clients chatting in one room while something breaks.

Shared by the fault tests (a worker killed, Redis restarted): each client sends its
messages at a steady pace over real websockets; `fault` runs once a third of them
are sent; the run ends when every client holds an acknowledgement for each of its
messages and every room event up to the room's last seq — or at the deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from accounts.tokens import issue_keys
from chat.models import Message, Room
from community.models import Membership
from tests._live import ChatClient
from tests.factories.chat import make_room
from tests.factories.networks import add_member, make_network
from tests.factories.users import make_user


@dataclass
class Cast:
    room: Room
    tokens: list[str]


def cast(people: int) -> Cast:
    """A network with `people` members and one room, committed (transactional_db)."""
    owner = make_user()
    network = make_network(owner)
    users = [make_user() for _ in range(people)]
    for user in users:
        add_member(network, user, Membership.Role.MEMBER)
    room = make_room(network, name="Fault line")
    return Cast(room, issue_keys(users))


async def converse(
    clients: list[ChatClient],
    sends: int,
    fault: Callable[[], Awaitable[None]],
    *,
    pace: float = 0.05,
    deadline: float = 40.0,
) -> None:
    end = time.monotonic() + deadline
    total = sends * len(clients)

    def done() -> bool:
        return all(len(c.acked) == sends and not c.pending and c.last_seq >= total for c in clients)

    async def speak(client: ChatClient) -> None:
        await client.subscribed.wait()
        for i in range(sends):
            await client.send(f"{client.name}-{i}", f"{client.name} says {i}")
            await asyncio.sleep(pace)

    async def break_things() -> None:
        while sum(len(c.acked) for c in clients) < total // 3:
            if time.monotonic() > end:
                return
            await asyncio.sleep(0.02)
        await fault()

    runners = [asyncio.create_task(c.run(done, end)) for c in clients]
    speakers = [asyncio.create_task(speak(c)) for c in clients]
    await break_things()
    await asyncio.gather(*speakers)
    await asyncio.gather(*runners)


def assert_exactly_once(clients: list[ChatClient], room: Room, sends: int) -> None:
    """Every sent message stored once; every client holds every event, in order, once."""
    stored = dict(Message.objects.filter(room=room).values_list("client_id", "id"))
    sent = {f"{c.name}-{i}" for c in clients for i in range(sends)}
    assert set(stored) == sent, f"missing {sorted(sent - set(stored))[:5]}"
    assert Message.objects.filter(room=room).count() == len(sent)
    by_seq = dict(Message.objects.filter(room=room).values_list("seq", "id"))
    room.refresh_from_db()
    assert sorted(by_seq) == list(range(1, len(sent) + 1)), "room seq is not gapless"
    print(  # shown with -s; docs/reliability.md quotes it
        f"\n{len(sent)} messages, connections per client "
        f"{[c.connections for c in clients]}, error frames {sum(len(c.errors) for c in clients)}"
    )
    for client in clients:
        assert not client.conflicts, (client.name, client.conflicts[:2])
        assert not client.pending, (client.name, sorted(client.pending)[:5])
        assert client.acked == {k: stored[k] for k in client.acked}, client.name
        assert client.last_seq == len(sent), (client.name, client.last_seq, len(sent))
        held = {seq: e["message"]["id"] for seq, e in client.events.items() if seq <= len(sent)}
        assert held == by_seq, client.name


def clients_for(cast_: Cast, urls_per_client: list[list[str]]) -> list[ChatClient]:
    return [
        ChatClient(f"c{i}", token, urls, cast_.room.pk)
        for i, (token, urls) in enumerate(zip(cast_.tokens, urls_per_client, strict=True))
    ]


__all__ = ["Any", "Cast", "assert_exactly_once", "cast", "clients_for", "converse"]
