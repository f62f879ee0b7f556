"""Account jobs (core/jobs.py): the look-up behind a password-reset request."""

from __future__ import annotations

from celery import shared_task

from accounts import recovery


@shared_task(name="accounts.tasks.mail_password_reset", ignore_result=True)
def mail_password_reset(address_key: str) -> bool:
    return recovery.do_queue_password_reset(address_key)
