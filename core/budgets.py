"""Budgets: how much one person (or one address) may do per unit of time, on every process.

A budget is a named set of rates in the `limits` library's notation (``"10 per 10
seconds; 60 per minute"``), read from ``settings.SHABAKA["BUDGETS"]`` at each call (so
tests can override them). Spending checks every rate of the budget and takes from all
of them, or from none.

The counts live where every process sees them: on Redis when ``REDIS_URL`` is set (the
sliding-window counter of `limits`, one atomic Lua script per rate), in this process's
memory otherwise — which is the embedded default's only process, so it is the same as
Django's local-memory cache there. `limits` is the field's maintained library for this
(used by Flask-Limiter and SlowAPI); the strategy is its sliding-window counter: two
counters per key, so a cost of thousands (a replay) is as cheap as a cost of one.

When Redis cannot be reached a budget lets the action through (and logs it): budgets
bound abuse, they are not the access control, and an outage of the counter must not stop
every member from posting.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from asgiref.sync import sync_to_async
from django.conf import settings
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import SlidingWindowCounterRateLimiter

logger = logging.getLogger(__name__)


class UnknownBudget(KeyError):
    """A budget name that settings.SHABAKA["BUDGETS"] does not define."""


@dataclass(frozen=True)
class Spent:
    """The outcome of spending: allowed, or refused with the seconds to wait."""

    allowed: bool
    retry_after: float = 0.0

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds for a `Retry-After` header or a `retry_after` field (at least 1)."""
        return max(1, math.ceil(self.retry_after))


@functools.cache
def _rates(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec))


_limiter: SlidingWindowCounterRateLimiter | None = None
_limiter_for: tuple[str, str] | None = None


def _storage_settings() -> tuple[str, str]:
    return (settings.REDIS_URL, f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:budget")


def limiter() -> SlidingWindowCounterRateLimiter:
    """The process's limiter, built on first use (never at import time)."""
    global _limiter, _limiter_for
    wanted = _storage_settings()
    if _limiter is None or _limiter_for != wanted:
        redis_url, prefix = wanted
        storage: Storage
        if redis_url:
            storage = RedisStorage(
                redis_url,
                key_prefix=prefix,
                wrap_exceptions=True,
                socket_connect_timeout=2,
                socket_timeout=2,
            )
        else:
            storage = MemoryStorage()
        _limiter, _limiter_for = SlidingWindowCounterRateLimiter(storage), wanted
    return _limiter


def rates(budget: str) -> Sequence[RateLimitItem]:
    configured = cast(dict[str, str], settings.SHABAKA["BUDGETS"])
    try:
        spec = configured[budget]
    except KeyError:
        raise UnknownBudget(budget) from None
    return _rates(spec)


def _wait(rl: SlidingWindowCounterRateLimiter, rate: RateLimitItem, key: str, cost: int) -> float:
    """Seconds until `cost` fits into `rate` again (an estimate, at least a moment)."""
    stats = rl.get_window_stats(rate, key)
    if cost <= 1 or stats.remaining >= cost:
        return max(0.001, stats.reset_time - time.time())
    # The counter frees about amount/expiry per second as the previous window slides out.
    return max(0.001, (cost - stats.remaining) * rate.get_expiry() / rate.amount)


def spend(budget: str, key: str | int, cost: int = 1) -> Spent:
    """Take `cost` from `key`'s `budget` on every rate, or refuse with the wait.

    A cost above a rate's whole amount is clamped to it: such a request is allowed once
    the budget is full, and then empties it.
    """
    items = rates(budget)
    ident = f"{budget}:{key}"
    rl = limiter()
    try:
        # One rate: its hit is an atomic test-and-take (one round trip on the hot path).
        for rate in items if len(items) > 1 else ():
            if not rl.test(rate, ident, cost=min(cost, rate.amount)):
                return Spent(False, _wait(rl, rate, ident, min(cost, rate.amount)))
        for rate in items:
            if not rl.hit(rate, ident, cost=min(cost, rate.amount)):
                # Another process took the rest between the test and the hit.
                return Spent(False, _wait(rl, rate, ident, min(cost, rate.amount)))
    except StorageError:
        logger.warning("budget %s: counter unreachable, allowing", budget, exc_info=True)
    return Spent(True)


def remaining(budget: str, key: str | int) -> int:
    """What `key` may still spend now (the tightest of the budget's rates)."""
    rl = limiter()
    ident = f"{budget}:{key}"
    try:
        return min(rl.get_window_stats(rate, ident).remaining for rate in rates(budget))
    except StorageError:
        return min(rate.amount for rate in rates(budget))


def refund(budget: str, key: str | int) -> None:
    """Forget what `key` spent of `budget` (e.g. a successful sign-in clears its failures)."""
    rl = limiter()
    ident = f"{budget}:{key}"
    try:
        for rate in rates(budget):
            rl.clear(rate, ident)
    except StorageError:
        logger.warning("budget %s: counter unreachable, not cleared", budget, exc_info=True)


def reset_all() -> None:
    """Forget every budget of this run (tests; on Redis only this run's key prefix)."""
    try:
        limiter().storage.reset()
    except StorageError:
        logger.warning("budgets: counter unreachable, not reset", exc_info=True)


# For consumers: the Redis round trip runs in a worker thread, off the event loop.
aspend = sync_to_async(spend, thread_sensitive=False)
