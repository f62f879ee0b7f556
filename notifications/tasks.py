"""Notification mail jobs (core/jobs.py, `JOBS_SCHEDULE`): thin, the work is in
`notifications.gather` and `notifications.digest`, each tested on its own."""

from __future__ import annotations

from celery import shared_task

from notifications import digest, gather


@shared_task(name="notifications.tasks.gather_mail", ignore_result=True)
def gather_mail() -> int:
    """Instant mail of every recipient whose 2 minutes of gathering have passed."""
    return gather.send_due()


@shared_task(name="notifications.tasks.daily_digests", ignore_result=True)
def daily_digests() -> int:
    return digest.send_due("daily")


@shared_task(name="notifications.tasks.weekly_digests", ignore_result=True)
def weekly_digests() -> int:
    return digest.send_due("weekly")
