"""Checks of decoded input values that every app's parsing shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeGuard

from core.errors import InvalidInput

# A forum post's or a chat message's body: at most this many bytes of UTF-8 (what is
# stored, indexed and sent), whatever the script; a character takes 1 to 4 of them.
MAX_BODY_BYTES = 64 * 1024


def is_int(value: object) -> TypeGuard[int]:
    """An int and not a bool: JSON's `true` decodes to a Python int subclass."""
    return isinstance(value, int) and not isinstance(value, bool)


def utf8_size(text: str) -> int:
    """The bytes `text` takes in UTF-8 (a lone surrogate counts its three; never raises)."""
    return len(text.encode("utf-8", "surrogatepass"))


class FieldCleaner:
    """The fields of a JSON object cleaned one by one, every bad one reported at once as
    a 400 naming it (`take` each field, then `result`). Unknown fields are refused."""

    def __init__(self, data: Any, allowed: Iterable[str]) -> None:
        if not isinstance(data, dict):
            raise InvalidInput("invalid", "Send a JSON object.")
        unknown = sorted(str(k)[:40] for k in set(data) - set(allowed))
        if unknown:
            raise InvalidInput(
                "invalid",
                f"Unknown fields: {', '.join(unknown)}.",
                dict.fromkeys(unknown, ["Unknown."]),  # noqa: RUF024 - never mutated
            )
        self.data: dict[str, Any] = data
        self.out: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def take(self, field: str, clean: Callable[[Any], Any]) -> None:
        """`clean(value)` into the result, or its InvalidInput's fields into the errors."""
        if field not in self.data:
            return
        try:
            self.out[field] = clean(self.data[field])
        except InvalidInput as exc:
            self.errors.update(exc.fields)

    def require(self, *fields: str) -> None:
        for field in fields:
            if field not in self.data:
                self.errors[field] = ["Required."]

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def result(self, message: str) -> dict[str, Any]:
        if self.errors:
            raise InvalidInput("invalid", message, self.errors)
        return self.out
