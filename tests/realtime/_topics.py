"""What the forum topic tests over /ws/ share: the writes as the API makes them, the
moderation actions through REST, and a refused `topic.subscribe`."""

from __future__ import annotations

from typing import Any

from community.forums import access, actions
from community.models import Network
from tests.factories.users import client_for

# Frames about the persona's own world that may arrive at any time.
NOTICES = {"presence", "membership", "unread", "notification"}
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


async def refusal(client: Any, topic_id: int) -> dict[str, Any]:
    await client.send(type="topic.subscribe", topic=topic_id)
    return await client.expect("error")
