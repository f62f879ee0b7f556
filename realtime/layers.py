"""The Redis channel layer, hardened for many sockets per process and Redis hiccups.

- A connection pool that waits instead of failing. channels-redis builds a plain
  redis-py pool per host, which allows 100 connections and raises
  MaxConnectionsError on the 101st concurrent command rather than waiting: when 500
  sockets of one process close at once, their `group_discard` calls exceed that and
  fail, leaving stale group members behind. A blocking pool bounds the connections
  (so a storm cannot exhaust Redis's own limit either) and queues the excess.
- A receive that survives a dropped connection. One process-wide BZPOPMIN serves
  every channel of the process; when Redis restarts or the connection is killed,
  channels-redis raises the error into whichever consumer happened to hold that
  receive, and the socket dies with 1011. Here the receive waits and retries (the
  in-flight message is safe in channels-redis's backup queue), and listeners (the
  chat hub) are told, so they can re-join their groups and resync from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, decode_hosts
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_POOL_TIMEOUT = 20.0
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)
CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    """RedisChannelLayer with a blocking pool and a receive that rides out disconnects.

    Host entries may carry `max_connections` and `pool_timeout`; everything else in
    an entry is passed to redis-py as usual.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failure_listeners: list[Callable[[], None]] = []

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "master_name" in host:  # Sentinel: channels-redis builds that pool itself
            return super().create_pool(index)
        max_connections = int(host.pop("max_connections", DEFAULT_MAX_CONNECTIONS))
        timeout = float(host.pop("pool_timeout", DEFAULT_POOL_TIMEOUT))
        # redis-py 8 reads with a 5 s socket timeout by default, the very length of
        # channels-redis's BZPOPMIN wait: an idle receive then times out whenever the
        # loop is a little late. Reads wait for the blocking command plus a margin.
        host.setdefault("socket_timeout", self.brpop_timeout + 10)
        if "address" in host:
            address = host.pop("address")
            return BlockingConnectionPool.from_url(
                address, max_connections=max_connections, timeout=timeout, **host
            )
        return BlockingConnectionPool(max_connections=max_connections, timeout=timeout, **host)

    async def receive(self, channel: str) -> Any:
        attempt = 0
        while True:
            try:
                return await super().receive(channel)
            except CONNECTION_ERRORS as exc:
                delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                if attempt == 0:
                    logger.warning("Redis connection lost while receiving (%r); retrying", exc)
                    for listener in list(self.failure_listeners):
                        listener()
                elif attempt % 10 == 0:
                    logger.error(
                        "Redis still unreachable after %s attempts", attempt, exc_info=True
                    )
                attempt += 1
                await asyncio.sleep(delay)


class _Shard(RedisSingleShardConnection):
    """A pub/sub shard connection that tells the layer's listeners when it drops.

    redis-py's PubSub reconnects and re-subscribes on its own; what was published
    while it was down is lost (pub/sub is at most once), which is what the chat hub
    repairs from the room log when it hears about the failure.
    """

    async def _do_receiving(self) -> None:
        failed = False
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    if failed:
                        failed = False
                        logger.warning("Redis pub/sub connection is back")
                        self._notify()
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except CONNECTION_ERRORS as exc:
                if not failed:
                    failed = True
                    logger.warning("Redis pub/sub connection lost (%r); reconnecting", exc)
                    self._notify()
                await asyncio.sleep(0.2)
            except Exception:
                logger.exception("Unexpected exception in the pub/sub receive task")
                await asyncio.sleep(1)

    def _notify(self) -> None:
        for listener in list(getattr(self.channel_layer.channel_layer, "failure_listeners", ())):
            listener()


class _PubSubLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(host, self) for host in decode_hosts(kwargs.get("hosts"))]

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """`group_send` of each (group, message), one pipeline of PUBLISHes per shard:
        one round trip where a loop of group_send makes one per message."""
        by_shard: dict[Any, list[tuple[str, bytes]]] = {}
        for group, message in messages:
            channel = self._get_group_channel_name(group)
            by_shard.setdefault(self._get_shard(channel), []).append(
                (channel, self.channel_layer.serialize(message))
            )
        for shard, published in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, payload in published:
                    pipe.publish(channel, payload)
                await pipe.execute()


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer (one PUBLISH per group message, whatever the group's size)
    whose connection losses reach `failure_listeners`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failure_listeners: list[Callable[[], None]] = []

    def _get_layer(self) -> Any:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _PubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Many group messages in one round trip per shard (a notification fan-out's
        frames, `core.events.send_events_now`)."""
        await self._get_layer().group_send_many(messages)
