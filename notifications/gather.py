"""Instant mail, gathered: one message for everything that arrived within 2 minutes.

As in Zulip, a recipient's mail goes 2 minutes after their first notification not yet
mailed, and what arrives meanwhile joins it. A periodic job (`tasks.gather`, every
30 s) finds the recipients who are due in one set-based query, then, per batch and in
one transaction: it locks their unsettled rows, writes one `Mail` row per recipient
(`mailer.outbox.queue_many`) and records on each notification which mail carries it
(or that none will). The mail rows are delivered after commit, once; so a crash before
the commit mails nothing and settles nothing (the next run does it all), and after it
every mail goes out exactly once.

Not mailed (settled without a mail): rows already read, kinds or networks whose email
is not instant for the recipient, recipients without a verified address, and rows of a
network the recipient may no longer read (banned since).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Case, Min, When
from django.utils import timezone

from accounts.identity import verified_email
from community.models import Network
from mailer import outbox
from notifications.models import Notification
from notifications.preferences import choices_of
from notifications.texts import language_of
from permissions import audience

KIND = "notifications.instant"
WINDOW = dt.timedelta(minutes=2)
BATCH = 200


def due_recipients(now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Recipients whose first unread, unsettled notification is at least 2 minutes old."""
    return list(
        Notification.objects.filter(mail_settled_at__isnull=True, read_at__isnull=True)
        .values("recipient_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=now - WINDOW)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)[:limit]
    )


def send_due(now: dt.datetime | None = None) -> int:
    """Queue the gathered mail of every recipient who is due; returns how many mails."""
    now = now or timezone.now()
    # Rows read before their mail was due need no decision: settled in one statement.
    Notification.objects.filter(
        mail_settled_at__isnull=True, read_at__isnull=False, created_at__lte=now
    ).update(mail_settled_at=now)
    mails = 0
    while True:
        with transaction.atomic():
            recipients = due_recipients(now)
            settled, queued = _gather(recipients, now) if recipients else (0, 0)
        mails += queued
        # A batch another worker holds (locked rows) settles nothing here: stop, it will.
        if len(recipients) < BATCH or not settled:
            return mails


def _gather(recipients: list[int], now: dt.datetime) -> tuple[int, int]:
    rows = Notification.objects.filter(
        recipient_id__in=recipients, mail_settled_at__isnull=True, created_at__lte=now
    ).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    found = list(rows.values_list("id", "recipient_id", "kind", "network_id", "read_at"))
    if not found:
        return 0, 0
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=recipients, is_active=True)
        .filter(verified_email())
        .select_related("profile")
    }
    choices = choices_of(recipients)
    by_network: dict[int, set[int]] = defaultdict(set)
    for _id, recipient_id, _kind, network_id, _read in found:
        if network_id is not None:
            by_network[network_id].add(recipient_id)
    readers = {
        network.pk: audience.readers_among(network, by_network[network.pk])
        for network in Network.objects.filter(pk__in=list(by_network))
    }
    carried: dict[int, list[int]] = defaultdict(list)
    for pk, recipient_id, kind, network_id, read_at in found:
        if (
            read_at is None
            and recipient_id in users
            and choices[recipient_id].mails_instantly(kind, network_id)
            and (network_id is None or recipient_id in readers.get(network_id, ()))
        ):
            carried[recipient_id].append(pk)
    order = sorted(carried)
    mail_ids = outbox.queue_many(
        [
            outbox.new_row(
                KIND,
                to=users[uid].email,
                user=users[uid],
                language=language_of(
                    getattr(getattr(users[uid], "profile", None), "ui_language", None)
                ),
                payload={},
            )
            for uid in order
        ]
    )
    mail_of = dict(zip(order, mail_ids, strict=True))
    every = [row[0] for row in found]
    if mail_of:
        Notification.objects.filter(pk__in=[pk for uid in order for pk in carried[uid]]).update(
            mail_id=Case(*[When(recipient_id=uid, then=mid) for uid, mid in mail_of.items()]),
            mail_settled_at=now,
        )
    Notification.objects.filter(pk__in=every, mail_settled_at__isnull=True).update(
        mail_settled_at=now
    )
    return len(every), len(order)
