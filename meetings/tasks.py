"""Meeting jobs (core/jobs.py, `JOBS_SCHEDULE`): thin, the work is meetings.reminders'."""

from __future__ import annotations

from celery import shared_task

from meetings import reminders


@shared_task(name="meetings.tasks.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """The day-before reminders of every meeting now within a day of starting."""
    return reminders.send_due()
