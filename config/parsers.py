"""The API's one JSON parser: only UTF-8, only text a database can hold, only a sane depth.

It replaces DRF's JSONParser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]), so no view,
serializer or action ever sees a lone surrogate, a NUL or a document nested past
core.jsonsafety.MAX_DEPTH: those are a 400 in the contract's shape before the view
reads `request.data`, and nothing is written. A body declared in another charset is
a 415: JSON exchanged between systems is UTF-8 (RFC 8259 §8.1), and codecs such as
`raw_unicode_escape` or `rot13` turned a declared charset into a 500.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from core.jsonsafety import BadText, TooDeep, loads


class TooDeepJSON(exceptions.ParseError):
    default_code = "too_deep"


class SafeJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            utf8 = codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            utf8 = False
        if not utf8:
            raise exceptions.UnsupportedMediaType(
                media_type or "", detail="JSON bodies are UTF-8; send charset=utf-8 or none."
            )
        try:
            return loads(stream.read().decode("utf-8"))
        except TooDeep as exc:
            raise TooDeepJSON(exc.message) from None
        except BadText as exc:
            fields = {exc.field: [exc.problem]} if exc.field is not None else {}
            detail = {"non_field_errors": [exc.message], **fields}
            raise exceptions.ValidationError(detail) from None
        except ValueError as exc:  # not JSON, or not UTF-8 (UnicodeDecodeError)
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
