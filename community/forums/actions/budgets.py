"""Posting budgets: how many topics and replies one person may write per unit of time.

Two budgets of core.budgets, per user and shared by every process (rates in
``settings.SHABAKA["BUDGETS"]``; the defaults follow Discourse's: a new topic at most
every 15 s and 20 a day, replies in a small burst then about one every 5 s):
``forum_topic`` and ``forum_reply``. They are spent inside `do_create_topic` and
`do_reply`, after every other check passed (a refused or invalid post costs nothing), so
every door that writes a post — REST, the web pages, anything later — is held to them.
Moderators of the network (and staff) are exempt, as Discourse exempts its staff: they
may need to answer many at once, and they can already do more than flood.

Seeds and benchmarks write in bulk on purpose: they run inside `budgets_waived()`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from community.models import Network
from core import budgets
from core.errors import RateLimited
from permissions import checks

TOPIC = "forum_topic"
REPLY = "forum_reply"

_waived: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "forum_budgets_waived", default=False
)


@contextlib.contextmanager
def budgets_waived() -> Iterator[None]:
    """No posting budget inside this block (demo seeds, benchmarks)."""
    token = _waived.set(True)
    try:
        yield
    finally:
        _waived.reset(token)


def check_posting_budget(actor: Any, network: Network, budget: str) -> None:
    """Spend one from `actor`'s `budget` (TOPIC or REPLY), or raise RateLimited (429)."""
    if _waived.get() or checks.may_moderate_forums(actor, network):
        return
    spent = budgets.spend(budget, actor.pk)
    if not spent:
        what = "new topics" if budget == TOPIC else "replies"
        wait = spent.retry_after_seconds
        raise RateLimited(f"Too many {what}; retry in {wait} s.", retry_after=wait)
