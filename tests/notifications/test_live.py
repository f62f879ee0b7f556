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


async def test_marking_read_updates_the_count_on_every_socket(
    connect: Any, owner: Any, member: Any, public_network: Network
) -> None:
    from notifications.actions import do_mark_read
    from notifications.models import Notification

    first, second = await connect(member), await connect(member)
    await db(members.do_mute_member)(owner, public_network, member.pk, 10)
    await db(members.do_set_role)(owner, public_network, member.pk, "moderator")
    for client in (first, second):
        assert (await client.expect("notification"))["unread"] == 1
        assert (await client.expect("notification"))["unread"] == 2
    oldest = await db(lambda: Notification.objects.filter(recipient=member).order_by("id")[0])()
    await db(do_mark_read)(member, ids=[oldest.pk])
    for client in (first, second):
        frame = await client.expect("notifications.read")
        assert frame["ids"] == [oldest.pk] and frame["unread"] == 1
    await db(do_mark_read)(member, every=True)
    for client in (first, second):
        assert (await client.expect("notifications.read")) == {
            "type": "notifications.read",
            "all": True,
            "unread": 0,
        }
    # Nothing left to mark: no frame.
    await db(do_mark_read)(member, every=True)
    assert await first.nothing(ignore={"presence", "membership"})
