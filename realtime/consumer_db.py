"""The database side of the ChatConsumer: what each frame reads or writes, synchronously.

The consumer runs these through `database_sync_to_async`, so a frame's access check
and the one action (or query) behind it run together on the database thread, never
on the event loop.
"""

from __future__ import annotations

from typing import Any

from chat import access, events, limits, queries
from chat.actions import messages as message_actions
from chat.actions import rooms as room_actions
from community.forums import access as forum_access
from core.budgets import Spent
from permissions import checks


def connect_state(user: Any) -> tuple[dict[str, Any] | None, frozenset[int], frozenset[int]]:
    readable, members = queries.access_sets(user)
    # Only members are announced (presence) or type in rooms; others never need it.
    return (events.user_summary(user) if members else None), readable, members


def subscribe_state(
    user: Any, room_id: int, after_seq: int | None, limit: int
) -> tuple[queries.Replay, int, Spent]:
    """The replay and unread count of `subscribed`: the room's seq and the user's unread
    count come from one query, the events (if any are missed) from a second.

    The replay spends the user's replay budget first; refused, it carries no events and
    says `has_more` (the client pages the rest later), and the refusal is returned."""
    seq, unread = queries.read_state(room_id, user.pk)
    spent = limits.spend_replay(user, limits.replay_cost(seq, after_seq, limit))
    if not spent:
        return queries.Replay(seq, [], True), unread, spent
    return queries.replay(room_id, after_seq, limit, seq=seq), unread, spent


def send_message(user: Any, room_id: int, body: str, client_id: str, reply_to: int | None) -> int:
    room = access.access_room(user, room_id)
    sent = message_actions.do_send_message(user, room, body, client_id, reply_to, spend=True)
    return sent.message.pk


def edit_message(user: Any, message_id: int, body: str) -> None:
    message = message_actions.access_message(user, message_id)
    limits.spend_write(user)
    message_actions.do_edit_message(user, message, body)


def delete_message(user: Any, message_id: int) -> None:
    message = message_actions.access_message(user, message_id)
    limits.spend_write(user)
    message_actions.do_delete_message(user, message)


def react(user: Any, message_id: int, emoji: str, add: bool) -> None:
    message = message_actions.access_message(user, message_id)
    limits.spend_write(user)
    if add:
        message_actions.do_add_reaction(user, message, emoji)
    else:
        message_actions.do_remove_reaction(user, message, emoji)


def mark_read(user: Any, room_id: int, message_id: int) -> None:
    room_actions.do_mark_read(user, access.access_room(user, room_id), message_id)


def check_typing(user: Any, room_id: int) -> None:
    access.check_can_post(user, access.access_room(user, room_id))


def topic_access(user: Any, topic_id: int) -> tuple[int, bool, bool]:
    """(network, moderates it, deleted) of a topic the user may read exactly as over REST
    (NotFound for a hidden, deleted or missing one alike)."""
    topic = forum_access.access_topic(user, topic_id)
    return topic.network_id, forum_access.may_see_deleted(user, topic.network), topic.deleted


def moderated(user: Any, network_ids: set[int]) -> set[int]:
    """Of these networks, those whose deleted topics the user still reads (moderators)."""
    return checks.moderated_network_ids(user, network_ids)
