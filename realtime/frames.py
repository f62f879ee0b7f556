"""Reading what a client sends on /ws/: the frame itself, its typed fields, and the
bound on what one socket may watch.

Everything here raises `FrameError`, which the consumer answers with an `error`
frame of that code (the socket stays open).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from core.jsonsafety import MAX_DEPTH, BadText, TooDeep, loads


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    """A field of a client frame: its JSON type and whether the frame needs it."""

    kind: type  # int or str
    required: bool = True


_ROOM = {"room": Field(int)}
_REACTION = {"message": Field(int), "emoji": Field(str)}

# Every frame a client may send and its fields (docs/websocket.md lists them). The
# consumer reads fields only through `field`, which holds it to this table, so the
# table is the whole vocabulary: the hostile suite poisons every string field of it.
CLIENT_FRAMES: dict[str, dict[str, Field]] = {
    "ping": {},
    "subscribe": {**_ROOM, "after_seq": Field(int, required=False)},
    "unsubscribe": _ROOM,
    "topic.subscribe": {"topic": Field(int)},
    "topic.unsubscribe": {"topic": Field(int)},
    "message.send": {
        **_ROOM,
        "body": Field(str),
        "client_id": Field(str),
        "reply_to": Field(int, required=False),
    },
    "message.edit": {"id": Field(int), "body": Field(str)},
    "message.delete": {"id": Field(int)},
    "reaction.add": _REACTION,
    "reaction.remove": _REACTION,
    "typing": _ROOM,
    "read": {**_ROOM, "message_id": Field(int)},
}


def parse(text_data: str | None, max_bytes: int) -> dict[str, Any]:
    """A JSON text frame: an object with a string `type`, at most `max_bytes` long, at most
    MAX_DEPTH deep, and no NUL or lone surrogate in any string or key (core.jsonsafety)."""
    if text_data is None:
        raise FrameError("binary_frame", "Send JSON text frames.")
    if len(text_data) > max_bytes or len(text_data.encode("utf-8", "surrogatepass")) > max_bytes:
        raise FrameError("frame_too_large", f"Frames are limited to {_size(max_bytes)}.")
    try:
        frame = loads(text_data)
    except TooDeep:
        raise FrameError("too_deep", f"Frames may nest at most {MAX_DEPTH} levels.") from None
    except BadText as exc:
        # Never echoed: the frame's own type or client_id may be what is bad.
        raise FrameError("invalid_text", str(exc)) from None
    except ValueError:
        raise FrameError("malformed_json", "The frame is not valid JSON.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("invalid_frame", "A frame is a JSON object with a string type.")
    return frame


def _size(max_bytes: int) -> str:
    """The frame limit as a client reads it: SHABAKA["MAX_FRAME_BYTES"] (16 KiB)."""
    return f"{max_bytes // 1024} KiB" if max_bytes % 1024 == 0 else f"{max_bytes:,} bytes"


def field(frame: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    """A typed field of a frame (ints exclude booleans), as CLIENT_FRAMES declares it."""
    if CLIENT_FRAMES.get(frame["type"], {}).get(name) != Field(kind, required):
        # A handler reading a field the table does not declare: a bug, not bad input.
        raise LookupError(f"{frame['type']!r} declares no {name!r} field of that kind")
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


def check_capacity(watched: Collection[int], key: int, limit: int, what: str) -> None:
    """A socket watches a bounded number of rooms (topics); watching one again is free."""
    if key not in watched and len(watched) >= limit:
        raise FrameError("too_many_subscriptions", f"A socket may watch at most {limit} {what}.")
