"""The forum topics a process watches: local watchers, and each forum event written to them.

Like a room, a topic is joined once per process (`topic.<id>`) and each forum event
is serialized once for every local watcher, but without the seq machinery: forum
events carry no seq, so after a layer failure every watcher is told
`topic.subscribed` again and catches up through REST. A deleted topic stays open to
moderators only.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from chat import events
from chat.events import encode
from community.forums import events as forum_events
from community.forums.models import Topic
from core.events import topic_group
from realtime.hub.groups import GroupTable, Watch, Watched
from realtime.hub.protocol import Socket

if TYPE_CHECKING:
    from realtime.hub import Hub


class TopicSubscription(Watch):
    """One socket watching one forum topic.

    A subscription is made before the socket's access to the topic is read (so no event
    falls between the two) and stays `active = False`, delivering nothing, until that
    check passes (`admit`). `moderator` and `deleted` decide what happens when the topic
    is deleted: only moderators keep watching a deleted topic (`moderator` is refreshed
    when the user's role changes: `demote`).
    """

    __slots__ = ("active", "deleted", "moderator")

    def __init__(self, socket: Socket, topic: int) -> None:
        super().__init__(socket, topic, None)
        self.moderator = False
        self.deleted = False
        self.active = False


class TopicState(Watched[TopicSubscription]):
    """A topic with local watchers."""

    __slots__ = ()


class Topics(GroupTable[TopicState, TopicSubscription]):
    """The topics with local watchers, each joined once through the hub's channel."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub, topic_group, TopicState)

    async def watch(self, socket: Socket, topic_id: int) -> TopicSubscription:
        """The socket's subscription to the topic, made inactive if it has none yet (the
        socket's access is checked next, then `admit`)."""
        sub = self.of(socket).get(topic_id)
        if sub is None:
            sub = await self.add(TopicSubscription(socket, topic_id))
        return sub

    def admit(
        self,
        sub: TopicSubscription,
        network_id: int,
        moderator: bool,
        deleted: bool,
        readable_before: Set[int],
    ) -> bool:
        """The socket may read the topic (as of `readable_before`): go live, unless the
        subscription closed meanwhile, the network stopped being readable, or the topic is
        deleted and the user does not moderate it (then it is closed)."""
        if not self.holds(sub):
            return False
        sub.network, sub.moderator = network_id, moderator
        sub.deleted = deleted or (sub.deleted and not sub.active)
        revoked = network_id in readable_before and network_id not in sub.socket.readable
        if revoked or (sub.deleted and not moderator):
            self.unsubscribe_now(sub.socket, sub.key)
            return False
        sub.active = True
        return True

    def abandon(self, sub: TopicSubscription) -> None:
        """The access check failed: no half-made watch stays behind."""
        if self.holds(sub):
            self.unsubscribe_now(sub.socket, sub.key)

    def moderated_networks(self, socket: Socket) -> set[int]:
        """The networks of the topics the socket watches as a moderator."""
        return {
            s.network for s in self.of(socket).values() if s.moderator and s.network is not None
        }

    async def demote(self, socket: Socket, still: Set[int]) -> None:
        """The user moderates only `still` now: deleted topics elsewhere close to them."""
        for sub in list(self.of(socket).values()):
            if sub.moderator and sub.network not in still:
                sub.moderator = False
                if sub.deleted:
                    await self._lose(sub)

    async def _lose(self, sub: TopicSubscription) -> None:
        """The topic closed to this socket (deleted, and they do not moderate it)."""
        self.unsubscribe_now(sub.socket, sub.key)
        await sub.socket.send_text(encode({"type": "access.revoked", "topic": sub.key}))

    async def receive(self, message: dict[str, Any]) -> None:
        """A forum event is the frame itself: serialized once, written to every watcher.

        When the topic is deleted, everyone watching sees that, then only moderators
        keep watching: a deleted topic is closed to everyone else.
        """
        topic_id = forum_events.event_topic_id(message)
        state = self.states.get(topic_id)
        if state is None:
            return
        text = encode(message)
        closed: bool | None = None
        if message["type"] == forum_events.TOPIC_UPDATED:
            closed = bool(message["topic"].get("deleted"))
        for sub in list(state.subs.values()):
            if not sub.active:
                # Still being checked: a deletion seen now refuses non-moderators then
                # (whichever of this event and the access check saw it first).
                sub.deleted = sub.deleted or bool(closed)
                continue
            await sub.socket.send_text(text)
            if closed is not None:
                sub.deleted = closed
                if closed and not sub.moderator:
                    await self._lose(sub)

    async def resubscribed(self) -> None:
        """Tell every topic watcher it is live again: what it missed is fetched through REST.

        A deletion may have been among the events lost meanwhile: the deleted topics are
        read again, and closed to those who do not moderate them.
        """
        deleted = await database_sync_to_async(_deleted_topics)(list(self.states))
        for topic_id, state in list(self.states.items()):
            text = encode(events.topic_frame(events.TOPIC_SUBSCRIBED, topic_id))
            for sub in list(state.subs.values()):
                if not sub.active:
                    continue
                sub.deleted = topic_id in deleted
                if sub.deleted and not sub.moderator:
                    await self._lose(sub)
                else:
                    await sub.socket.send_text(text)


def _deleted_topics(topic_ids: list[int]) -> set[int]:
    return set(Topic.objects.filter(pk__in=topic_ids, deleted=True).values_list("pk", flat=True))
