"""core.budgets: every rate of a budget holds, a refusal says how long to wait."""

from __future__ import annotations

import pytest

from core import budgets


@pytest.fixture
def small(settings):
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {"try": "3 per minute", "two": "2 per 10 seconds; 3 per minute"},
    }


def test_a_budget_allows_its_amount_then_refuses_with_a_wait(small):
    assert [bool(budgets.spend("try", "alice")) for _ in range(4)] == [True, True, True, False]
    refused = budgets.spend("try", "alice")
    assert not refused
    assert 0 < refused.retry_after <= 60
    assert 1 <= refused.retry_after_seconds <= 60


def test_budgets_are_per_key(small):
    for _ in range(3):
        budgets.spend("try", "alice")
    assert budgets.spend("try", "bob")
    assert not budgets.spend("try", "alice")


def test_every_rate_of_a_budget_must_hold(small):
    assert budgets.spend("two", 1) and budgets.spend("two", 1)
    assert not budgets.spend("two", 1)  # the 10-second rate is spent
    assert budgets.remaining("two", 1) == 0


def test_a_refused_spend_takes_nothing(small):
    budgets.spend("two", 7, cost=2)
    assert not budgets.spend("two", 7)
    # The minute rate was not charged by the refusal: 2 of its 3 are spent, not 3.
    assert budgets.remaining("two", 8) == 2


def test_a_cost_counts_as_that_many(small):
    assert budgets.spend("try", "carol", cost=2)
    assert not budgets.spend("try", "carol", cost=2)
    assert budgets.spend("try", "carol", cost=1)


def test_a_cost_above_the_whole_budget_empties_it_once(small):
    assert budgets.spend("try", "dan", cost=1000)
    assert not budgets.spend("try", "dan")


def test_refund_forgets_what_was_spent(small):
    for _ in range(3):
        budgets.spend("try", "erin")
    budgets.refund("try", "erin")
    assert budgets.spend("try", "erin")


def test_an_unknown_budget_is_a_programming_error(small):
    with pytest.raises(budgets.UnknownBudget):
        budgets.spend("nope", 1)


async def test_aspend_spends_from_the_same_budget(small):
    assert await budgets.aspend("try", "fay", cost=3)
    assert not budgets.spend("try", "fay")
