"""Queueing mail inside a transaction, and delivering it once, with retries.

`queue` writes the row with the change that causes the mail and enqueues its delivery
after commit. `deliver` claims due rows under a lease (so a worker killed mid-delivery
gives them back when the lease ends), renders each, sends it over one SMTP connection
and marks it sent right after the server accepted it. A refused, timed-out or dropped
delivery leaves the row pending with an exponential backoff; `sweep` enqueues what is
due, so a crashed worker or a lost job delays mail but never loses it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import get_connection
from django.core.mail.message import make_msgid
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import jobs
from mailer import registry
from mailer.models import Mail

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BACKOFF = dt.timedelta(hours=1)
# Given up (status failed, kept for the admin) once a mail is this old and still refused.
GIVE_UP_AFTER = dt.timedelta(days=3)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MAIL_LEASE_SECONDS)


def new_row(
    kind: str, *, to: str, user: User | None, language: str, payload: dict[str, Any] | None
) -> Mail:
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return Mail(
        kind=kind,
        user=user,
        to_address=to,
        language=language,
        payload=payload or {},
        next_attempt_at=timezone.now(),
        message_id=make_msgid(domain=domain or None),
    )


def queue(
    kind: str,
    *,
    to: str,
    user: User | None = None,
    language: str,
    payload: dict[str, Any] | None = None,
) -> Mail:
    """One mail, sent after the current transaction commits."""
    from mailer import tasks

    mail = new_row(kind, to=to, user=user, language=language, payload=payload)
    mail.save()
    jobs.enqueue(tasks.deliver, [mail.pk])
    return mail


def queue_many(rows: Sequence[Mail]) -> list[int]:
    """Rows made with `new_row`, stored in one INSERT; delivered in batches after commit."""
    from mailer import tasks

    created = Mail.objects.bulk_create(rows)
    ids = [mail.pk for mail in created]
    for start in range(0, len(ids), BATCH):
        jobs.enqueue(tasks.deliver, ids[start : start + BATCH])
    return ids


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at an hour, with jitter so retries spread out."""
    seconds = min(MAX_BACKOFF.total_seconds(), 30 * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _claim(ids: Iterable[int] | None, limit: int = BATCH) -> list[Mail]:
    """Take due rows (these ids, or any) under a lease: pending ones whose time has come
    and sending ones whose lease ended (their worker died)."""
    now = timezone.now()
    with transaction.atomic():
        due = Mail.objects.filter(
            status__in=[Mail.Status.PENDING, Mail.Status.SENDING], next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        # The users in a second query: PostgreSQL refuses FOR UPDATE on the nullable side
        # of the outer join select_related would make.
        rows = list(due.prefetch_related("user").order_by("id")[:limit])
        if rows:
            Mail.objects.filter(pk__in=[m.pk for m in rows]).update(
                status=Mail.Status.SENDING,
                next_attempt_at=now + lease(),
                attempts=F("attempts") + 1,
            )
    for mail in rows:
        mail.attempts += 1
    return rows


def _finish(mail: Mail, status: str, error: str = "") -> None:
    fields: dict[str, Any] = {"status": status, "last_error": error[:2000]}
    if status == Mail.Status.SENT:
        fields["sent_at"] = timezone.now()
    # Only the claim holder's row: a row whose lease ended and was claimed again is not ours.
    Mail.objects.filter(pk=mail.pk, status=Mail.Status.SENDING).update(**fields)


def _retry(mail: Mail, error: str) -> None:
    if timezone.now() - mail.created_at > GIVE_UP_AFTER:
        logger.error("mail %s given up after %s attempts: %s", mail.pk, mail.attempts, error)
        _finish(mail, Mail.Status.FAILED, error)
        return
    Mail.objects.filter(pk=mail.pk, status=Mail.Status.SENDING).update(
        status=Mail.Status.PENDING,
        next_attempt_at=timezone.now() + backoff(mail.attempts),
        last_error=error[:2000],
    )


def deliver(ids: Iterable[int] | None = None) -> int:
    """Send these rows (or any due ones) that are still to send; returns how many went."""
    rows = _claim(ids)
    if not rows:
        return 0
    sent = 0
    smtp = _connect()
    try:
        for mail in rows:
            try:
                message = registry.render(mail)
            except Exception as error:
                logger.exception("mail %s (%s) could not be rendered", mail.pk, mail.kind)
                _finish(mail, Mail.Status.FAILED, f"render: {error!r}")
                continue
            if message is None:
                _finish(mail, Mail.Status.SKIPPED)
                continue
            message.extra_headers["Message-ID"] = mail.message_id
            message.connection = smtp
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                logger.warning(
                    "mail %s not delivered (attempt %s): %r", mail.pk, mail.attempts, error
                )
                _retry(mail, repr(error))
                # A dropped or confused connection is not reused for the next message.
                _close(smtp)
                smtp = _connect()
                continue
            _finish(mail, Mail.Status.SENT)
            sent += 1
    finally:
        _close(smtp)
    return sent


def _connect() -> Any:
    """One connection for the whole batch, opened here: a backend that `send_messages`
    opens itself closes again after each message (a TCP and SMTP handshake per mail). A
    server that cannot be reached now is left to each message's send, whose failure
    backs that row off."""
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("mail server not reachable: %r", error)
    return smtp


def _close(smtp: Any) -> None:
    try:
        smtp.close()
    except Exception:
        logger.debug("closing the mail connection failed", exc_info=True)


def sweep() -> int:
    """Enqueue delivery of every due row (those a lost job or a dead worker left);
    returns how many rows were due."""
    from mailer import tasks

    due = list(
        Mail.objects.filter(
            Q(status=Mail.Status.PENDING) | Q(status=Mail.Status.SENDING),
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("id")
        .values_list("pk", flat=True)[: BATCH * 50]
    )
    for start in range(0, len(due), BATCH):
        jobs.submit(tasks.deliver, (due[start : start + BATCH],))
    return len(due)
