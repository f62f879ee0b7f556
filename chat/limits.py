"""What one person may do in chat per unit of time, whichever door and process they use.

Two budgets of core.budgets (rates in ``settings.SHABAKA["BUDGETS"]``, shared by every
process on Redis):

- ``send``: every write — a new message, an edit, a deletion, a reaction added or
  removed — spends one, over REST and the websocket alike (the doors call
  `spend_write`; a send spends inside `do_send_message`, after its idempotency check,
  so a retried client_id is neither refused nor charged twice). Actions called by
  seeds, tests and the admin spend nothing: the budget guards the doors.
- ``replay``: a subscribe with `after_seq` and a page of the REST event log spend what
  they would replay — the room's seq minus after_seq, capped by the page size — known
  before a single event is loaded.

Typing notices are throttled per socket and room instead (realtime.consumers); read markers
are not limited.
"""

from __future__ import annotations

from typing import Any

from core import budgets
from core.budgets import Spent
from core.errors import RateLimited

SEND = "send"
REPLAY = "replay"


def refused(spent: Spent, what: str) -> RateLimited:
    wait = spent.retry_after_seconds
    return RateLimited(f"Too many {what}; retry in {wait} s.", retry_after=wait)


def spend_write(user: Any) -> None:
    """Take one write from the user's `send` budget, or raise RateLimited."""
    spent = budgets.spend(SEND, user.pk)
    if not spent:
        raise refused(spent, "messages")


def replay_cost(seq: int, after_seq: int | None, limit: int) -> int:
    """The events a replay after `after_seq` would carry, at most `limit` (0: none)."""
    if after_seq is None:
        return 0
    return max(0, min(limit, seq - after_seq))


def spend_replay(user: Any, cost: int) -> Spent:
    """Take `cost` replayed events from the user's `replay` budget (nothing to replay is free)."""
    if cost <= 0:
        return Spent(True)
    return budgets.spend(REPLAY, user.pk, cost)
