"""Text no database can hold, and JSON too deep to parse safely: the checks every door shares.

PostgreSQL refuses a NUL (U+0000) in text and SQLite stores it; neither database, nor
UTF-8 itself, can hold a lone surrogate (U+D800–U+DFFF), which a JSON `\\ud800`
escape produces. Refused at the door (the REST parser, the address check, the
websocket frame reader), such text never reaches a query, a row or a rendered
response. JSON nested thousands deep makes Python's parser recurse until it fails;
its depth is measured on the raw text first, without recursion, and refused past
MAX_DEPTH.

Bidirectional controls and zero-width characters are valid text: they are not this
module's business (display names strip them where they are written).
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64

# What no text field may hold: NUL, and surrogates (paired ones never survive decoding,
# so any found in a Python string is unpaired).
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
# Where a bad character can come from in JSON text: an escape of one (\u0000, \uD800…)
# or the character itself. Text without either needs no walk after parsing.
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F])|[\x00\ud800-\udfff]")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # as signed bytes: +1, -1


class UnsafeJSON(ValueError):
    """JSON refused before any code reads it; `code` and `message` speak to the client."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooDeep(UnsafeJSON):
    code = "too_deep"


class BadText(UnsafeJSON):
    """A string or key holding a NUL or a lone surrogate.

    `field` is the top-level key it sits under (None when that key itself is bad, or the
    document is not an object), so a client can be told where without echoing the text.
    """

    code = "invalid"

    def __init__(self, problem: str, field: str | None) -> None:
        super().__init__(f"{field!r}: {problem}" if field is not None else problem)
        self.problem = problem
        self.field = field


def bad_text(value: str) -> str | None:
    """What is wrong with this text for storage (a short phrase), or None."""
    found = _BAD_CHAR.search(value)
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "an unpaired surrogate"


def text_problem(value: str) -> str | None:
    """The client-facing sentence for bad text, or None when the text is fine."""
    what = bad_text(value)
    return None if what is None else f"Text may not contain {what}."


def json_depth(text: str) -> int:
    """How deep a parser would descend into this JSON text, measured without recursion.

    String literals are dropped (brackets inside them do not nest), then the depth is
    the highest running count of openers minus closers, summed in C over the bracket
    characters left. For text that is not JSON the count may run past where a parser
    would stop, never short of it.
    """
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    steps = array("b", brackets.encode("ascii").translate(_STEP))  # +1 per opener, -1 per closer
    return max(accumulate(steps), default=0)


def nesting_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests arrays/objects deeper than `limit` (about 50 ms for 1 MiB
    of brackets; nothing at all for text with fewer brackets than `limit`)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    return json_depth(text) > limit


def find_bad_text(document: Any) -> BadText | None:
    """The first string or key holding a NUL or a lone surrogate, walked without recursion."""
    stack: list[tuple[Any, str | None]] = [(document, None)]
    while stack:
        value, top = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                return BadText(problem, top)
        elif isinstance(value, dict):
            for key, item in value.items():
                if text_problem(key) is not None:
                    return BadText(f"A field name may not contain {bad_text(key)}.", None)
                stack.append((item, key if value is document else top))
        elif isinstance(value, list):
            stack.extend((item, top) for item in value)
    return None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text that is safe to hand on: at most `max_depth` deep, no NUL or lone
    surrogate in any string or key, no NaN/Infinity.

    Raises TooDeep or BadText (UnsafeJSON), or ValueError for text that is not JSON.
    """
    if nesting_exceeds(text, max_depth):
        raise TooDeep(f"JSON may nest at most {max_depth} levels deep.")
    document = json.loads(text, parse_constant=_no_constants)
    if _SUSPECT.search(text):
        problem = find_bad_text(document)
        if problem is not None:
            raise problem
    return document
