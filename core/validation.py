"""Checks of decoded input values that every app's parsing shares."""

from __future__ import annotations

from typing import TypeGuard

# A forum post's or a chat message's body: at most this many bytes of UTF-8 (what is
# stored, indexed and sent), whatever the script; a character takes 1 to 4 of them.
MAX_BODY_BYTES = 64 * 1024


def is_int(value: object) -> TypeGuard[int]:
    """An int and not a bool: JSON's `true` decodes to a Python int subclass."""
    return isinstance(value, int) and not isinstance(value, bool)


def utf8_size(text: str) -> int:
    """The bytes `text` takes in UTF-8 (a lone surrogate counts its three; never raises)."""
    return len(text.encode("utf-8", "surrogatepass"))
