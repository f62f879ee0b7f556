"""The Redis channel layer with a connection pool that waits instead of failing.

channels-redis builds a plain redis-py pool per host, which allows 100 connections
and raises MaxConnectionsError on the 101st concurrent command rather than waiting.
When 500 sockets of one process close at once, their `group_discard` calls exceed
that and fail, leaving stale group members behind. A blocking pool bounds the
connections (so a storm cannot exhaust Redis's own limit either) and queues the
excess commands until a connection is free.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_POOL_TIMEOUT = 20.0
# redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that channels-redis
# blocks in BZPOPMIN when a channel is idle: the read then times out first, the error
# reaches the consumer and daphne closes an idle socket with 1011 after 5–10 s. Reads
# must outlast the blocking pop (RedisChannelLayer.brpop_timeout) by a margin.
DEFAULT_SOCKET_TIMEOUT = 15.0


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    """RedisChannelLayer whose per-host pool blocks (up to `pool_timeout` s) when full.

    Host entries may carry `max_connections` and `pool_timeout`; everything else in
    an entry is passed to redis-py as usual.
    """

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "master_name" in host:  # Sentinel: channels-redis builds that pool itself
            return super().create_pool(index)
        host.setdefault("socket_timeout", max(DEFAULT_SOCKET_TIMEOUT, self.brpop_timeout * 3))
        max_connections = int(host.pop("max_connections", DEFAULT_MAX_CONNECTIONS))
        timeout = float(host.pop("pool_timeout", DEFAULT_POOL_TIMEOUT))
        if "address" in host:
            address = host.pop("address")
            return BlockingConnectionPool.from_url(
                address, max_connections=max_connections, timeout=timeout, **host
            )
        return BlockingConnectionPool(max_connections=max_connections, timeout=timeout, **host)
