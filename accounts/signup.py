"""Sign-up budget: at most so many new accounts per client address (CONTRACT.md "Accounts").

The budget is spent before the account is made, so concurrent sign-ups from one address
cannot all slip through, and given back when the sign-up fails (a taken username, a weak
password): only accounts that were made count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from core import budgets
from core.client_address import request_client_address
from core.errors import RateLimited

BUDGET = "signup"


@contextlib.contextmanager
def signup_budget(request: Any) -> Iterator[None]:
    """Around the making of an account: raise RateLimited (429) when the address's budget
    is spent; give the budget back if the block raises."""
    address = request_client_address(request)
    spent = budgets.spend(BUDGET, address)
    if not spent:
        raise RateLimited(
            "Too many new accounts from this address; try again later.",
            spent.retry_after_seconds,
        )
    try:
        yield
    except BaseException:
        budgets.give_back(BUDGET, address)
        raise
