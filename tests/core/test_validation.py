"""core.validation: the one "an int but not a bool" check behind every id and count parsed."""

from __future__ import annotations

from typing import Any

import pytest

from core.validation import is_int


@pytest.mark.parametrize("value", [0, 1, -7, 2**63, 10**30])
def test_whole_numbers_are_ints(value: int) -> None:
    assert is_int(value)


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None, [1], {"id": 1}])
def test_booleans_and_everything_else_are_not(value: Any) -> None:
    assert not is_int(value)
