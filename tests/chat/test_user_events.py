"""Events addressed to the user's group reach every socket of the user, or at least
never hurt it."""

from __future__ import annotations

from typing import Any

import pytest

from tests._ws import db
from tests.factories.users import client_for

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_event_without_a_frame_leaves_the_users_sockets_open(
    connect: Any, member: Any
) -> None:
    """Saving one's profile tells the user's group (`directory.profile`), which the socket
    has no frame for: it used to close every open socket of the user with an error."""
    client = await connect(member)
    response = await db(
        lambda: client_for(member).patch("/api/v1/profile/", {"city": "Rabat"}, format="json")
    )()
    assert response.status_code == 200
    await client.send(type="ping")
    assert await client.expect("pong") == {"type": "pong"}
    assert await client.nothing(0.2)
