"""Column types of the database index that differ by engine.

The index needs lists (a document's networks, its facet values) that PostgreSQL can
index with GIN and test with `&&`, and a weighted word vector PostgreSQL can match
per audience. SQLite has neither: there the lists are JSON text (read with
`json_each`) and words live in the FTS5 table, so the vector column stays empty.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class ListField(models.Field):
    """A list of integers or strings: an array on PostgreSQL, JSON text elsewhere."""

    description = "A list of integers or strings"

    def __init__(self, *args: Any, of: str = "text", **kwargs: Any) -> None:
        if of not in ("bigint", "text"):
            raise ValueError("of must be 'bigint' or 'text'")
        self.of = of
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return f"{self.of}[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None:
            return None
        items = [int(v) if self.of == "bigint" else str(v) for v in value]
        return items if connection.vendor == "postgresql" else json.dumps(items)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)


class WordVectorField(models.Field):
    """PostgreSQL: a `tsvector` of a document's words, weighted by the lowest relation
    level that may search them (A 0, B 1, C 2). Elsewhere: always NULL."""

    description = "Weighted words (PostgreSQL tsvector)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["null"] = True
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("null", None)
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: Any, compiler: Any, connection: BaseDatabaseWrapper) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        return value if connection.vendor == "postgresql" else None
