"""Input checks shared by the forum actions: titles and Markdown bodies."""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput, TooLarge
from core.names import clean_name
from core.validation import MAX_BODY_BYTES, utf8_size

MAX_TITLE_CHARS = 200


def _check_characters(field: str, value: str) -> None:
    # PostgreSQL refuses NUL in text and lone surrogates cannot be encoded: refuse both
    # here, as bad input, instead of failing at the database.
    if "\x00" in value:
        raise InvalidInput("invalid", f"The {field} contains a NUL character.", {field: ["NUL."]})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "invalid", f"The {field} is not valid Unicode text.", {field: ["Not valid Unicode."]}
        ) from None


def check_body(body: Any, field: str = "body") -> str:
    """A post body: non-blank Markdown of at most 64 KiB (UTF-8), stored as sent."""
    if not isinstance(body, str):
        raise InvalidInput("invalid", f"The {field} must be text.", {field: ["Not a string."]})
    _check_characters(field, body)
    if not body.strip():
        raise InvalidInput("invalid", f"The {field} cannot be empty.", {field: ["Empty."]})
    size = utf8_size(body)
    if size > MAX_BODY_BYTES:
        raise TooLarge(
            "too_large",
            f"Posts are limited to {MAX_BODY_BYTES // 1024} KiB; this one is {size:,} bytes.",
            {field: [f"At most {MAX_BODY_BYTES} bytes."]},
            limit=MAX_BODY_BYTES,
            unit="bytes",
        )
    return body


def check_title(title: Any) -> str:
    """A topic title: 1–200 characters once surrounding whitespace is trimmed."""
    if not isinstance(title, str):
        raise InvalidInput("invalid", "The title must be text.", {"title": ["Not a string."]})
    _check_characters("title", title)
    title = clean_name(title)
    if not title:
        raise InvalidInput("invalid", "The title cannot be empty.", {"title": ["Empty."]})
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(
            "invalid",
            f"Titles are limited to {MAX_TITLE_CHARS} characters.",
            {"title": [f"At most {MAX_TITLE_CHARS} characters."]},
        )
    return title
