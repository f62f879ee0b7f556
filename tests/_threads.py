"""Real concurrency for the PostgreSQL tests: callables started together on threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_all(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every callable on its own thread, released at once by a barrier; the results
    (or the exceptions raised) in the callables' order. Each thread's database
    connection is closed after."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # handed to the test, in its own thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
