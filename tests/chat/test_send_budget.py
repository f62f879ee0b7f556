"""One send budget per person, whichever door the message comes through.

Found by the hostile attack (issue #11): `POST /api/v1/rooms/{id}/messages/` took 30
messages in a row while the websocket allowed a burst of 10, each door counting alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from chat.models import Message, Room
from tests.chat.conftest import db
from tests.factories.users import client_for


@pytest.fixture
def three_sends(settings: Any) -> None:
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {**settings.SHABAKA["BUDGETS"], "send": "3 per 60 seconds"},
    }


def post(client: Any, room: Room, body: str) -> Any:
    return client.post(f"/api/v1/rooms/{room.pk}/messages/", {"body": body}, format="json")


@pytest.mark.django_db
def test_rest_sends_past_the_budget_get_429_with_retry_after(
    member: Any, public_room: Room, three_sends: None
) -> None:
    client = client_for(member)
    assert [post(client, public_room, f"m{i}").status_code for i in range(3)] == [201] * 3
    refused = post(client, public_room, "one too many")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Message.objects.filter(room=public_room).count() == 3


@pytest.mark.django_db(transaction=True)
async def test_websocket_and_rest_sends_spend_one_budget(
    connect: Any, member: Any, public_room: Room, three_sends: None
) -> None:
    client = await db(client_for)(member)
    tab = await connect(member)
    for i in range(2):
        await tab.send(type="message.send", room=public_room.pk, body=f"ws{i}", client_id=f"w{i}")
        await tab.expect("message.ack")
    assert (await db(post)(client, public_room, "rest")).status_code == 201
    await tab.send(type="message.send", room=public_room.pk, body="too fast", client_id="w9")
    error = await tab.expect("error")
    assert (error["code"], error["ref"]) == ("rate_limited", "w9")
    assert isinstance(error["retry_after"], int | float) and 0 < error["retry_after"] <= 60
    assert (await db(post)(client, public_room, "rest again")).status_code == 429
    assert await db(Message.objects.filter(room=public_room).count)() == 3
