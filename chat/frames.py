"""Reading what a client sends on /ws/: the frame itself, its typed fields, and the
bound on what one socket may watch.

Everything here raises `FrameError`, which the consumer answers with an `error`
frame of that code (the socket stays open).
"""

from __future__ import annotations

import json
from typing import Any


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse(text_data: str | None, max_bytes: int) -> dict[str, Any]:
    """A JSON text frame: an object with a string `type`, at most `max_bytes` long."""
    if text_data is None:
        raise FrameError("binary_frame", "Send JSON text frames.")
    if len(text_data) > max_bytes or len(text_data.encode()) > max_bytes:
        raise FrameError("frame_too_large", "Frames are limited to 16 KiB.")
    try:
        frame = json.loads(text_data)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than ~1,000
        raise FrameError("malformed_json", "The frame is not valid JSON.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("invalid_frame", "A frame is a JSON object with a string type.")
    return frame


def field(frame: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    """A typed field of a frame (ints exclude booleans)."""
    if name not in frame or frame[name] is None:
        if required:
            raise FrameError("missing_field", f"The frame needs a {name!r} field.")
        return None
    value = frame[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FrameError(
            "invalid_field", f"{name!r} must be {'an integer' if kind is int else 'a string'}."
        )
    if isinstance(value, int) and value < 0:
        raise FrameError("invalid_field", f"{name!r} must not be negative.")
    return value


def check_capacity(watched: dict[int, Any], key: int, limit: int, what: str) -> None:
    """A socket watches a bounded number of rooms (topics); watching one again is free."""
    if key not in watched and len(watched) >= limit:
        raise FrameError("too_many_subscriptions", f"A socket may watch at most {limit} {what}.")
