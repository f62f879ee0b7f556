"""Counting SQL queries across threads.

pytest-django's `django_assert_num_queries` sees the test thread's connection only,
but the websocket consumer runs its database work on sync_to_async's thread (with its
own connection). `AllQueries` counts what every cursor of every thread executes.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from django.db.backends.utils import CursorWrapper


class AllQueries:
    """`with AllQueries() as queries: …` then `queries.count` (and `queries.sql`)."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self._lock = threading.Lock()
        self._saved: dict[str, Any] = {}

    @property
    def count(self) -> int:
        return len(self.sql)

    def __enter__(self) -> AllQueries:
        for name in ("execute", "executemany"):
            original = getattr(CursorWrapper, name)
            self._saved[name] = original
            setattr(CursorWrapper, name, self._counting(original))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for name, original in self._saved.items():
            setattr(CursorWrapper, name, original)
        self._saved.clear()

    def _counting(self, original: Any) -> Any:
        def counted(cursor: CursorWrapper, sql: str, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.sql.append(sql)
            return original(cursor, sql, *args, **kwargs)

        return counted
