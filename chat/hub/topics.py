"""The forum topics a process watches: local watchers, and each forum event written to them.

Like a room, a topic is joined once per process (`topic.<id>`) and each forum event
is serialized once for every local watcher, but without the seq machinery: forum
events carry no seq, so after a layer failure every watcher is told
`topic.subscribed` again and catches up through REST. A deleted topic stays open to
moderators only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat import events
from chat.events import encode
from chat.hub.groups import GroupTable
from community.forums import events as forum_events
from config.events import topic_group

if TYPE_CHECKING:
    from chat.consumers import ChatConsumer
    from chat.hub import Hub


class TopicSubscription:
    """One socket watching one forum topic.

    `moderator` and `deleted` decide what happens when the topic is deleted: only
    moderators keep watching a deleted topic (the consumer refreshes `moderator` when
    the user's role changes).
    """

    __slots__ = ("consumer", "deleted", "moderator", "network", "topic")

    def __init__(
        self, consumer: ChatConsumer, topic: int, network: int, *, moderator: bool, deleted: bool
    ) -> None:
        self.consumer = consumer
        self.topic = topic
        self.network = network
        self.moderator = moderator
        self.deleted = deleted


class TopicState:
    """A topic with local watchers."""

    __slots__ = ("subs",)

    def __init__(self) -> None:
        self.subs: dict[ChatConsumer, TopicSubscription] = {}


class Topics(GroupTable[TopicState]):
    """The topics with local watchers, each joined once through the hub's channel."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub, topic_group, TopicState)

    async def subscribe(
        self,
        consumer: ChatConsumer,
        topic_id: int,
        network_id: int,
        *,
        moderator: bool,
        deleted: bool,
    ) -> TopicSubscription:
        """Deliver the topic's forum events to the socket from now on."""
        async with self.hub.lock:
            state = await self.join(topic_id)
            sub = TopicSubscription(
                consumer, topic_id, network_id, moderator=moderator, deleted=deleted
            )
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
            await sub.consumer.send_text(text)
            if closed is not None:
                sub.deleted = closed
                if closed and not sub.moderator:
                    await sub.consumer.lose_topic(topic_id)

    async def resubscribed(self) -> None:
        """Tell every topic watcher it is live again: what it missed is fetched through REST."""
        for topic_id, state in list(self.states.items()):
            text = encode(events.topic_frame(events.TOPIC_SUBSCRIBED, topic_id))
            for sub in list(state.subs.values()):
                await sub.consumer.send_text(text)
