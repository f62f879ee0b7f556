"""The `notification` frame reaches every socket of the recipient, with the new count."""

from __future__ import annotations

from typing import Any

import pytest

from community.actions import membership as members
from community.models import Network
from tests._ws import db

pytestmark = pytest.mark.django_db(transaction=True)


async def test_frame_on_every_socket_of_the_recipient(
    connect: Any, owner: Any, member: Any, moderator: Any, public_network: Network
) -> None:
    first, second, bystander = (
        await connect(member),
        await connect(member),
        await connect(moderator),
    )
    await db(members.do_mute_member)(owner, public_network, member.pk, 10)
    for client in (first, second):
        frame = await client.expect("notification")
        assert frame["unread"] == 1
        assert frame["notification"]["kind"] == "moderation"
        assert frame["notification"]["network"] == "germany"
        assert "Germany" in frame["notification"]["text"]
    assert await bystander.nothing(ignore={"presence", "membership"})
    await db(members.do_set_role)(owner, public_network, member.pk, "moderator")
    assert (await first.expect("notification"))["unread"] == 2
