"""Mail jobs (core/jobs.py): delivering rows, and the sweep that finds what was dropped."""

from __future__ import annotations

from celery import shared_task

from mailer import outbox


@shared_task(name="mailer.tasks.deliver", acks_late=True, ignore_result=True)
def deliver(ids: list[int]) -> int:
    return outbox.deliver(ids)


@shared_task(name="mailer.tasks.sweep", ignore_result=True)
def sweep() -> int:
    return outbox.sweep()
