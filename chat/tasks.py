"""Chat jobs (core/jobs.py): the delayed check that tells an absent member of a message."""

from __future__ import annotations

from celery import shared_task

from chat.actions import notify


@shared_task(name="chat.tasks.notify_direct_message", ignore_result=True)
def notify_direct_message(message_id: int) -> int:
    """Notify the recipient of a direct message if they are still away and have not read it."""
    return len(notify.do_notify_direct_message(message_id))


@shared_task(name="chat.tasks.sweep_direct_messages", ignore_result=True)
def sweep_direct_messages() -> int:
    """Periodic: the direct-message checks a crash or a restart dropped."""
    return notify.sweep_direct_messages()
