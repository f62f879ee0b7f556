"""The forum topics a process watches: local watchers, and each forum event written to them.

Like a room, a topic is joined once per process (`topic.<id>`) and each forum event
is serialized once for every local watcher, but without the seq machinery: forum
events carry no seq, so after a layer failure every watcher is told
`topic.subscribed` again and catches up through REST. A deleted topic stays open to
moderators only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from chat import events
from chat.events import encode
from community.forums import events as forum_events
from community.forums.models import Topic
from core.events import topic_group
from realtime.hub.groups import GroupTable

if TYPE_CHECKING:
    from realtime.consumers import ChatConsumer
    from realtime.hub import Hub


class TopicSubscription:
    """One socket watching one forum topic.

    A subscription is made before the socket's access to the topic is read (so no event
    falls between the two) and stays `active = False`, delivering nothing, until that
    check passes. `moderator` and `deleted` decide what happens when the topic is
    deleted: only moderators keep watching a deleted topic (the consumer refreshes
    `moderator` when the user's role changes).
    """

    __slots__ = ("active", "consumer", "deleted", "moderator", "network", "topic")

    def __init__(self, consumer: ChatConsumer, topic: int) -> None:
        self.consumer = consumer
        self.topic = topic
        self.network: int | None = None
        self.moderator = False
        self.deleted = False
        self.active = False


class TopicState:
    """A topic with local watchers."""

    __slots__ = ("subs",)

    def __init__(self) -> None:
        self.subs: dict[ChatConsumer, TopicSubscription] = {}


class Topics(GroupTable[TopicState]):
    """The topics with local watchers, each joined once through the hub's channel."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub, topic_group, TopicState)

    async def subscribe(self, consumer: ChatConsumer, topic_id: int) -> TopicSubscription:
        """Watch the topic for the socket, inactive until the consumer has checked access."""
        async with self.hub.lock:
            state = await self.join(topic_id)
            sub = TopicSubscription(consumer, topic_id)
            state.subs[consumer] = sub
            return sub

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
            await sub.consumer.send_text(text)
            if closed is not None:
                sub.deleted = closed
                if closed and not sub.moderator:
                    await sub.consumer.lose_topic(topic_id)

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
                    await sub.consumer.lose_topic(topic_id)
                else:
                    await sub.consumer.send_text(text)


def _deleted_topics(topic_ids: list[int]) -> set[int]:
    return set(Topic.objects.filter(pk__in=topic_ids, deleted=True).values_list("pk", flat=True))
