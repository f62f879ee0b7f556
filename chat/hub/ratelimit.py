"""The per-user rate limit of socket writes: one token bucket per user with local sockets.

The buckets live in the process's hub, so every socket of a user on the process
spends from the same bucket; a user's bucket is forgotten with their last local
socket.
"""

from __future__ import annotations

import time


class TokenBuckets:
    """user → [tokens, updated] (a list: updated in place on every write)."""

    def __init__(self) -> None:
        self.buckets: dict[int, list[float]] = {}

    def take(self, user_id: int, burst: int, per_second: float) -> float:
        """Spend one send token of the user's bucket; 0 if allowed, else seconds to wait."""
        now = time.monotonic()
        bucket = self.buckets.get(user_id)
        if bucket is None:
            bucket = self.buckets[user_id] = [float(burst), now]
        tokens = min(float(burst), bucket[0] + (now - bucket[1]) * per_second)
        bucket[1] = now
        if tokens >= 1:
            bucket[0] = tokens - 1
            return 0.0
        bucket[0] = tokens
        return (1 - tokens) / per_second if per_second > 0 else float("inf")

    def forget(self, user_id: int) -> None:
        self.buckets.pop(user_id, None)
