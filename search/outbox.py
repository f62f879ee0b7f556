"""The search outbox: index updates that survive Meilisearch being down.

`enqueue` is called by every action that changes something searchable, inside its
transaction, after the change. It rewrites the database backend's documents right
there (so the fallback is exact) and, when Meilisearch is configured, adds outbox
rows that commit or roll back with the change itself.

`drain_all` sends due rows to Meilisearch in batches: rows are claimed with a lease
(so a crashed worker's rows come back), documents are rebuilt from the current
database state, and rows are deleted only after Meilisearch reports the task
succeeded. A failure leaves the rows with an exponential backoff; nothing is ever
dropped. `manage.py search_worker` runs `drain_all` in a loop; in the embedded default
a thread in the web process does it after each commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from search import registry
from search.backends import database_backend, meilisearch_backend
from search.models import IndexState, OutboxEntry

if TYPE_CHECKING:
    from search.backends.meili import MeilisearchBackend

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
MAX_BACKOFF_SECONDS = 60.0
DEFAULT_BATCH = 500


# Inside `deferred()`: what enqueue calls asked for, written once when the block ends.
_deferred: ContextVar[dict[str, set[int]] | None] = ContextVar("search_deferred", default=None)


def enqueue(doc_type: str, object_ids: Iterable[int]) -> None:
    """Record that these objects changed: call inside the change's transaction, after it."""
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.setdefault(doc_type, set()).update(ids)
        return
    kind = registry.get(doc_type)
    with transaction.atomic():
        database_backend().write(kind, kind.build(ids))
        if settings.MEILISEARCH_URL:
            OutboxEntry.objects.bulk_create(
                OutboxEntry(doc_type=doc_type, object_id=object_id) for object_id in ids
            )
            if inline_worker_enabled():
                transaction.on_commit(kick)


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the enqueues made inside and write each object once at the end.

    For bulk actions (a member list import) whose every row would otherwise rebuild
    documents: use it inside the action's transaction, so the write still commits or
    rolls back with the change. Nested blocks leave the writing to the outermost one.
    """
    if _deferred.get() is not None:
        yield
        return
    pending: dict[str, set[int]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for doc_type, ids in pending.items():
        enqueue(doc_type, ids)


def backoff(attempts: int) -> dt.timedelta:
    """0.5 s, 1 s, 2 s, … capped at a minute, with jitter so workers do not retry in step."""
    seconds = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _claim(batch_size: int) -> list[OutboxEntry]:
    """Take up to batch_size due rows under a lease, oldest first."""
    with transaction.atomic():
        now = timezone.now()
        paused = IndexState.objects.filter(paused_until__gt=now).values_list("doc_type", flat=True)
        due = OutboxEntry.objects.filter(next_attempt_at__lte=now).exclude(doc_type__in=paused)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.order_by("id")[:batch_size])
        if rows:
            OutboxEntry.objects.filter(id__in=[r.id for r in rows]).update(
                next_attempt_at=now + LEASE, attempts=F("attempts") + 1
            )
    return rows


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    error: str = ""

    def add(self, other: DrainResult) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.error = other.error or self.error


def drain_all(batch_size: int = DEFAULT_BATCH) -> DrainResult:
    """Drain until nothing is due or a batch fails.

    Pipelined: the next batch is claimed, built and sent while Meilisearch indexes the
    previous one (it applies tasks in order, so a later change to the same object still
    lands last); each batch's rows are deleted only once its own tasks succeeded.
    """
    total = DrainResult()
    meili = meilisearch_backend()
    if meili is None:
        return total
    in_flight: tuple[list[OutboxEntry], list[int]] | None = None
    while True:
        sending = None
        rows = [] if total.failed else _claim(batch_size)
        if rows:
            try:
                sending = (rows, _send(meili, rows))
            except Exception as exc:
                total.add(_postpone(rows, exc))
        if in_flight is not None:
            total.add(_settle(meili, *in_flight))
        in_flight = sending
        if in_flight is None:
            return total


def _send(meili: MeilisearchBackend, rows: list[OutboxEntry]) -> list[int]:
    """Build the rows' documents from the current database state and send them; task uids."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_type[row.doc_type].add(row.object_id)
    tasks: list[int] = []
    for doc_type, ids in by_type.items():
        kind = registry.get(doc_type)
        _ensure_index(meili, kind)
        tasks += meili.write(kind, kind.build(sorted(ids)))
    return tasks


def _settle(meili: MeilisearchBackend, rows: list[OutboxEntry], tasks: list[int]) -> DrainResult:
    """Wait for the tasks: delete the rows once indexed, or postpone them."""
    try:
        meili.wait(tasks)
    except Exception as exc:
        return _postpone(rows, exc)
    OutboxEntry.objects.filter(id__in=[r.id for r in rows]).delete()
    return DrainResult(sent=len(rows))


def _postpone(rows: list[OutboxEntry], exc: Exception) -> DrainResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Search outbox: %d updates postponed: %s", len(rows), error)
    now = timezone.now()
    for row in rows:
        row.next_attempt_at = now + backoff(row.attempts + 1)
        row.last_error = error
    OutboxEntry.objects.bulk_update(rows, ["next_attempt_at", "last_error"])
    return DrainResult(failed=len(rows), error=error)


def retry_failed_now() -> int:
    """Meilisearch is back: make every postponed row due at once (leased rows stay leased)."""
    return OutboxEntry.objects.exclude(last_error="").update(
        next_attempt_at=timezone.now(), last_error=""
    )


def pending() -> int:
    return OutboxEntry.objects.count()


_ready_indexes: set[str] = set()


def _ensure_index(meili: object, kind: registry.DocumentType) -> None:
    """Create the index with its settings the first time this process writes to it."""
    from search.backends.meili import MeilisearchBackend, index_uid

    assert isinstance(meili, MeilisearchBackend)
    uid = index_uid(kind.name)
    if uid not in _ready_indexes:
        meili.ensure_index(kind)
        _ready_indexes.add(uid)


def forget_indexes() -> None:
    """After a rebuild or in tests: check index settings again on the next write."""
    _ready_indexes.clear()


# --- the embedded worker ---------------------------------------------------------------


def inline_worker_enabled() -> bool:
    return bool(settings.SEARCH_INLINE_WORKER)


class _InlineWorker:
    """One daemon thread per process that drains after commits and retries with backoff."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def kick(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="search-outbox", daemon=True)
                self.thread.start()
        self.wake.set()

    def run(self) -> None:
        delay = 1.0
        while True:
            self.wake.wait(timeout=delay)
            self.wake.clear()
            try:
                close_old_connections()
                result = drain_all()
                delay = min(MAX_BACKOFF_SECONDS, delay * 2) if result.failed else 1.0
                if not result.failed and not pending():
                    delay = 30.0
            except Exception:
                logger.exception("Search outbox worker failed; retrying")
                delay = min(MAX_BACKOFF_SECONDS, delay * 2)
            finally:
                close_old_connections()


_worker = _InlineWorker()


def kick() -> None:
    _worker.kick()
