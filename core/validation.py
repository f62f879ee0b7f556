"""Checks of decoded input values that every app's parsing shares."""

from __future__ import annotations

from typing import TypeGuard


def is_int(value: object) -> TypeGuard[int]:
    """An int and not a bool: JSON's `true` decodes to a Python int subclass."""
    return isinstance(value, int) and not isinstance(value, bool)
