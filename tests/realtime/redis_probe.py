"""Redis introspection for the real-services chat tests: the connections a daphne
process holds, killing them, the size of a channel-layer group.

The daphne processes themselves are tests._process.DaphneWorker."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import redis


def redis_client() -> Any:
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def redis_ports_of(pid: int) -> set[int]:
    """Local ports of the process's TCP connections to Redis (from /proc)."""
    from django.conf import settings

    redis_port = urlparse(settings.REDIS_URL).port or 6379
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            established = state == "01"
            if established and inode in inodes and int(remote.rsplit(":", 1)[1], 16) == redis_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def kill_redis_connections(pid: int) -> int:
    """CLIENT KILL every Redis connection of one process; returns how many were killed."""
    client = redis_client()
    killed = 0
    for port in redis_ports_of(pid):
        # A connection may close by itself meanwhile ("No such client").
        with contextlib.suppress(redis.ResponseError):
            client.execute_command("CLIENT", "KILL", "ADDR", f"127.0.0.1:{port}")
            killed += 1
    client.close()
    return killed


def group_size(group: str) -> int:
    """Members of a channel-layer group in Redis: channels (list layer) or subscribed
    connections (pub/sub layer)."""
    from django.conf import settings

    config = settings.CHANNEL_LAYERS["default"]
    prefix = config["CONFIG"]["prefix"]
    client = redis_client()
    try:
        if "PubSub" in config["BACKEND"]:
            return int(
                dict(client.pubsub_numsub(f"{prefix}__group__{group}"))[
                    f"{prefix}__group__{group}".encode()
                ]
            )
        return int(client.zcard(f"{prefix}:group:{group}"))
    finally:
        client.close()
