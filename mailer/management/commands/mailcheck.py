"""`manage.py mailcheck ADDRESS`: send a test mail through the outbox and say how it went.

By default the mail is delivered here and now, so the answer is SMTP's (sent, or the
error the server gave); `--via-jobs` hands it to the job engine instead (Celery workers
or the web process's thread) and waits for it, which proves the workers run too.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from mailer import outbox
from mailer.check import KIND
from mailer.models import Mail


class Command(BaseCommand):
    help = "Send a test mail to ADDRESS through the outbox and report whether it went."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
        )
        parser.add_argument("--note", default="", help="a line added to the mail")
        parser.add_argument(
            "--via-jobs",
            action="store_true",
            help="let the job engine deliver it (workers, or the web thread) and wait",
        )
        parser.add_argument("--wait", type=float, default=60.0, help="seconds, with --via-jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        try:
            validate_email(address)
        except ValidationError:
            raise CommandError(f"address: not an email address: {address!r}") from None
        payload = {"note": options["note"]} if options["note"] else {}
        if options["via_jobs"]:
            with transaction.atomic():
                mail = outbox.queue(KIND, to=address, language=options["language"], payload=payload)
            deadline = time.monotonic() + options["wait"]
            while time.monotonic() < deadline:
                mail.refresh_from_db()
                if mail.status in (Mail.Status.SENT, Mail.Status.FAILED):
                    break
                time.sleep(0.2)
        else:
            mail = outbox.new_row(
                KIND, to=address, user=None, language=options["language"], payload=payload
            )
            mail.save()
            outbox.deliver([mail.pk])
            mail.refresh_from_db()
        report = f"mail {mail.pk} to {address}: {mail.status}"
        if mail.status == Mail.Status.SENT:
            self.stdout.write(f"{report} (Message-ID {mail.message_id})")
            return
        if mail.last_error:
            report += f"; {mail.last_error}"
        if mail.status == Mail.Status.PENDING:
            report += "; it stays queued and is retried with backoff"
        raise CommandError(report)
