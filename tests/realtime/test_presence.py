"""Presence over /ws/: online from the first socket to the last, heard once, only by
people sharing a network."""

from __future__ import annotations

from typing import Any

import pytest

from community.models import Network
from realtime import presence
from tests._ws import db

pytestmark = pytest.mark.django_db(transaction=True)

# --- presence -----------------------------------------------------------------------------------


async def test_presence_across_tabs_and_only_to_people_sharing_a_network(
    connect: Any,
    member: Any,
    moderator: Any,
    outsider: Any,
    public_network: Network,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(presence, "OFFLINE_GRACE", 0.1)
    watcher = await connect(member)
    stranger = await connect(outsider)
    tab1 = await connect(moderator)
    online = await watcher.expect("presence")
    assert online == {
        "type": "presence",
        "user": {
            "id": moderator.pk,
            "username": "moderator",
            "display_name": "Moderator",
            "avatar": None,
        },
        "status": "online",
    }
    tab2 = await connect(moderator)
    await tab1.close()
    # one tab left: still online, nothing announced
    assert await watcher.nothing(0.3, ignore=set())
    await tab2.close()
    assert (await watcher.expect("presence"))["status"] == "offline"
    assert await stranger.nothing(0.2, ignore=set())


async def test_a_quick_reconnect_announces_nothing(
    connect: Any, member: Any, moderator: Any, public_network: Network, monkeypatch: Any
) -> None:
    monkeypatch.setattr(presence, "OFFLINE_GRACE", 0.3)
    watcher = await connect(member)
    phone = await connect(moderator)
    assert (await watcher.expect("presence"))["status"] == "online"
    await phone.close()
    await connect(moderator)  # back within the grace period
    assert await watcher.nothing(0.6, ignore=set())


async def test_presence_is_heard_once_when_sharing_several_networks(
    connect: Any, owner: Any, member: Any, moderator: Any, public_network: Network
) -> None:
    from tests.factories.networks import add_member, make_network

    second = await db(make_network)(owner)
    await db(add_member)(second, member)
    await db(add_member)(second, moderator)
    watcher = await connect(member)
    await connect(moderator)
    frames = await watcher.drain(0.4)
    assert [f["status"] for f in frames if f["type"] == "presence"] == ["online"]
