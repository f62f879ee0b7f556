"""Background jobs: enqueued by an action, run after its transaction commits.

A job is a Celery task (`@shared_task` in an app's `tasks.py`) called with plain
arguments (ids, strings). Jobs re-read the database: the rows are the truth, a job only
delivers them, so one that runs twice or finds its rows gone does no harm, and the
periodic sweeps of each app re-enqueue what a crash dropped.

Where jobs run is `settings.JOBS_ENGINE`:

- `celery`: Celery workers on Redis (`celery -A config worker`, schedules by
  `celery -A config beat`), any number of them on any number of hosts. The default
  when `REDIS_URL` is set.
- `thread`: one daemon thread in each web process, which also runs `JOBS_SCHEDULE`, so
  `make run` alone delivers mail and digests. The embedded default.
- `manual`: tests. Jobs wait in memory, due at enqueue time plus their countdown, until
  the test calls `run_pending(now=…)`; they are queued at once rather than at commit
  because a test's transaction never commits.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

Task = Callable[..., Any]


def enqueue(task: Task, *args: Any, countdown: float = 0.0) -> None:
    """Run `task(*args)` in the background once the current transaction commits."""
    engine = settings.JOBS_ENGINE
    if engine == "manual":
        _manual.add(task, args, countdown)
    else:
        transaction.on_commit(lambda: submit(task, args, countdown))


def submit(task: Task, args: tuple[Any, ...], countdown: float = 0.0) -> None:
    """Hand a job to the engine now (from after-commit code or a periodic sweep)."""
    engine = settings.JOBS_ENGINE
    if engine == "celery":
        try:
            task.apply_async(args=list(args), countdown=countdown or None)  # type: ignore[attr-defined]
        except Exception:
            # The broker being down must not fail what already committed: the rows stay
            # undelivered and the periodic sweep enqueues them again.
            logger.exception("could not enqueue %s", _name(task))
    elif engine == "thread":
        _thread.submit(task, args, countdown)
    elif engine == "manual":
        _manual.add(task, args, countdown)
    else:
        raise ValueError(f"unknown JOBS_ENGINE {engine!r}")


def _name(task: Task) -> str:
    return str(getattr(task, "name", None) or getattr(task, "__name__", repr(task)))


def run(task: Task, args: tuple[Any, ...]) -> None:
    """Run one job here, as a worker does: fresh connections, errors logged, not raised."""
    close_old_connections()
    try:
        task(*args)
    except Exception:
        logger.exception("job %s%r failed", _name(task), args)
    finally:
        close_old_connections()


def scheduled() -> list[tuple[str, Task, float]]:
    """`JOBS_SCHEDULE` as (name, task, every seconds)."""
    return [
        (name, import_string(str(entry["task"])), float(str(entry["every"])))
        for name, entry in settings.JOBS_SCHEDULE.items()
    ]


# --- the embedded engine: a thread per web process --------------------------------------


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    task: Task = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    every: float = field(default=0.0, compare=False)


class _ThreadEngine:
    """Jobs in due order on one daemon thread; periodic jobs put themselves back.

    The schedule is put on the heap once per process, however often `start` is called
    (the ASGI module, each `submit`, a thread that died and is started again). A forked
    child (a pre-forking server) starts from nothing: threads do not survive `fork`, and
    the parent's lock may have been held at that moment.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.heap: list[_Due] = []
        self.seq = itertools.count()
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None
        self.scheduled = False
        self.stopping = False

    def start(self) -> None:
        with self.cond:
            if self.thread is not None and self.thread.is_alive():
                return
            if not self.scheduled:
                self.scheduled = True
                now = time.monotonic()
                for _, task, every in scheduled():
                    heapq.heappush(
                        self.heap, _Due(now + min(every, 5.0), next(self.seq), task, (), every)
                    )
            self.thread = threading.Thread(target=self.loop, name="jobs", daemon=True)
            self.thread.start()

    def submit(self, task: Task, args: tuple[Any, ...], countdown: float) -> None:
        self.start()
        with self.cond:
            heapq.heappush(
                self.heap, _Due(time.monotonic() + countdown, next(self.seq), task, args)
            )
            self.cond.notify()

    def periodic(self) -> list[tuple[str, float]]:
        with self.cond:
            return sorted((_name(due.task), due.every) for due in self.heap if due.every)

    def stop(self) -> None:
        """End the thread after the job it is running (tests; the process ending does it
        otherwise: the thread is a daemon). What is queued stays queued."""
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        if self.thread is not None:
            self.thread.join(10)
        with self.cond:
            self.stopping = False

    def loop(self) -> None:
        while True:
            with self.cond:
                while not self.stopping and (not self.heap or self.heap[0].at > time.monotonic()):
                    self.cond.wait(
                        timeout=(self.heap[0].at - time.monotonic()) if self.heap else None
                    )
                if self.stopping:
                    return
                due = heapq.heappop(self.heap)
            try:
                run(due.task, due.args)
            except SystemExit:
                logger.exception("job %s tried to exit the jobs thread", _name(due.task))
            finally:
                # A periodic job goes back on the heap whatever this run did.
                if due.every:
                    with self.cond:
                        due.at = time.monotonic() + due.every
                        due.seq = next(self.seq)
                        heapq.heappush(self.heap, due)


_thread = _ThreadEngine()


def _after_fork_in_child() -> None:
    _thread.reset()


os.register_at_fork(after_in_child=_after_fork_in_child)


def start() -> None:
    """Start the embedded engine's schedule in this process (the ASGI app calls it)."""
    if settings.JOBS_ENGINE == "thread":
        _thread.start()


def thread_schedule() -> list[tuple[str, float]]:
    """Ops and tests: the embedded engine's periodic jobs waiting in this process, by task
    name and interval (each once, after `start`)."""
    return _thread.periodic()


# --- the test engine ---------------------------------------------------------------------


class _ManualEngine:
    def __init__(self) -> None:
        self.jobs: list[tuple[datetime, int, Task, tuple[Any, ...]]] = []
        self.seq = itertools.count()
        self.lock = threading.Lock()

    def add(self, task: Task, args: tuple[Any, ...], countdown: float) -> None:
        at = timezone.now() + timedelta(seconds=countdown)
        with self.lock:
            self.jobs.append((at, next(self.seq), task, args))

    def take_due(self, now: datetime) -> list[tuple[Task, tuple[Any, ...]]]:
        with self.lock:
            due = sorted(j for j in self.jobs if j[0] <= now)
            self.jobs = [j for j in self.jobs if j[0] > now]
        return [(task, args) for _at, _seq, task, args in due]


_manual = _ManualEngine()


def run_pending(now: datetime | None = None) -> int:
    """Tests: run every queued job due at `now` (default: now), including the jobs those
    jobs enqueue that are due too; errors propagate. Returns how many ran."""
    ran = 0
    while due := _manual.take_due(now or timezone.now()):
        for task, args in due:
            task(*args)
            ran += 1
    return ran


def pending() -> list[tuple[str, tuple[Any, ...]]]:
    """Tests: the queued jobs' task names and arguments, in due order."""
    with _manual.lock:
        return [(_name(task), args) for _at, _seq, task, args in sorted(_manual.jobs)]


def clear() -> None:
    """Tests: drop every queued job."""
    with _manual.lock:
        _manual.jobs.clear()
