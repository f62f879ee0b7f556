"""Keyset (cursor) pagination: page cost does not grow with table size.

A cursor is the opaque, URL-safe encoding of the ordering values of the last row
of a page. The next page is `WHERE (k1, k2, …) > (v1, v2, …)` written as the
equivalent OR-chain, which the database answers from an index on the ordering.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.request import Request

from core.errors import InvalidInput
from core.jsonsafety import bad_text, loads
from core.validation import is_int

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# Cursor values must fit a 64-bit column on every database.
_INT_RANGE = range(-(2**63), 2**63)


def parse_limit(request: Request, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    """`?limit=`: absent means `default`; anything but a whole number in 1..maximum is a 400.

    Out-of-range values are refused rather than clamped, so a client asking for
    10,000 rows learns the maximum instead of silently receiving fewer.
    """
    raw = request.query_params.get("limit")
    if raw is None or raw == "":
        return default
    message = f"limit must be a whole number from 1 to {maximum}."
    try:
        limit = int(raw)
    except ValueError:
        raise InvalidInput("invalid", message, {"limit": ["Not an integer."]}) from None
    if not 1 <= limit <= maximum:
        raise InvalidInput("invalid", message, {"limit": [f"Must be 1–{maximum}."]})
    return limit


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "dt" in value:
        return dt.datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        # core's loads: a cursor nested 100,000 deep or holding a surrogate is a ValueError.
        values = loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != size:
            raise ValueError("wrong size")
        decoded = [_decode_value(v) for v in values]
        for value in decoded:
            _check_value(value)
        return decoded
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise InvalidInput(
            "invalid_cursor", "The cursor is not valid.", {"cursor": ["Invalid."]}
        ) from None


def _check_value(value: Any) -> None:
    """Only values a real cursor holds, and that every database accepts as a parameter."""
    if is_int(value):
        if value not in _INT_RANGE:
            raise ValueError("int out of range")
    elif isinstance(value, str):
        if bad_text(value) is not None or len(value) > 1000:
            raise ValueError("bad string")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not finite")
    elif isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime")
    else:
        raise ValueError("bad value")


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (fields may start with '-')."""
    condition = Q()
    for index in range(len(ordering) - 1, -1, -1):
        field = ordering[index]
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[index]})
        if index < len(ordering) - 1:
            step |= Q(**{name: values[index]}) & condition
        condition = step
    return condition


def _value(obj: Model, field: str) -> Any:
    value: Any = obj
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


def paginate(
    queryset: QuerySet[Any], request: Request, ordering: Sequence[str]
) -> tuple[list[Any], str | None]:
    """One page of `queryset` in `ordering` (the last field must be unique) and the next cursor."""
    limit = parse_limit(request)
    cursor = request.query_params.get("cursor")
    queryset = queryset.order_by(*ordering)
    if cursor:
        try:
            queryset = queryset.filter(_after(ordering, decode_cursor(cursor, len(ordering))))
        except (ValueError, TypeError, ValidationError):
            # A well-formed cursor whose values do not fit the fields (a forged one).
            raise InvalidInput(
                "invalid_cursor", "The cursor is not valid.", {"cursor": ["Invalid."]}
            ) from None
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([_value(rows[-1], field) for field in ordering])
    return rows, next_cursor
