"""Ops on mail: the admin list (filters by status and kind, search by address, constant
queries), "Retry now" (never re-sends what went, needs the change permission), and
`manage.py mailcheck ADDRESS` through the outbox to a real SMTP server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from mailer import outbox
from mailer.check import KIND
from mailer.models import Mail
from tests._queries import AllQueries
from tests._smtp import free_port, text_part
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/mailer/mail/"


def mail(to: str, status: str = Mail.Status.PENDING, kind: str = KIND, **fields: Any) -> Mail:
    row = outbox.new_row(kind, to=to, user=None, language="en", payload={})
    row.status = status
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def listed(page: Any) -> set[str]:
    return {m.to_address for m in page.context["cl"].result_list}


def test_the_mail_list_filters_by_status_and_kind_and_searches_addresses(
    admin_client: Client,
) -> None:
    mail("waiting@example.org")
    mail("given-up@example.org", Mail.Status.FAILED, last_error="554 rejected")
    mail("went@example.org", Mail.Status.SENT, kind="notifications.instant")
    assert listed(admin_client.get(LIST, {"status__exact": "failed"})) == {"given-up@example.org"}
    assert listed(admin_client.get(LIST, {"kind": "notifications.instant"})) == {"went@example.org"}
    assert listed(admin_client.get(LIST, {"q": "given-up"})) == {"given-up@example.org"}
    page = admin_client.get(LIST)
    assert page.status_code == 200
    assert listed(page) == {"waiting@example.org", "given-up@example.org", "went@example.org"}


def test_the_mail_list_is_a_constant_number_of_queries(admin_client: Client) -> None:
    def count(rows: int) -> int:
        Mail.objects.all().delete()
        for n in range(rows):
            mail(f"m{n}@example.org", user=make_user() if n % 2 else None)
        with AllQueries() as queries:
            assert admin_client.get(LIST).status_code == 200
        return queries.count

    assert count(5) == count(50)


def test_retry_now_sends_a_failed_or_waiting_mail_once_and_leaves_sent_mail_alone(
    admin_client: Client, jobs: Any, smtp_sink: Any
) -> None:
    later = timezone.now() + dt.timedelta(hours=1)
    failed = mail("failed@example.org", Mail.Status.FAILED, attempts=7)
    waiting = mail("waiting@example.org", next_attempt_at=later)
    went = mail("went@example.org", Mail.Status.SENT)
    held = mail("held@example.org", Mail.Status.SENDING, next_attempt_at=later)  # live lease
    chosen = [failed.pk, waiting.pk, went.pk, held.pk]
    page = admin_client.post(LIST, {"action": "retry_now", "_selected_action": chosen}, follow=True)
    texts = [str(m) for m in page.context["messages"]]
    assert "2 mails will be sent again now." in texts
    assert "2 mails were left alone: already sent, or being sent." in texts
    jobs.run_pending()
    arrived = {str(m["To"]) for m in smtp_sink.wait_for(2)}
    assert arrived == {"failed@example.org", "waiting@example.org"}
    statuses = dict(Mail.objects.values_list("to_address", "status"))
    assert statuses == {
        "failed@example.org": Mail.Status.SENT,
        "waiting@example.org": Mail.Status.SENT,
        "went@example.org": Mail.Status.SENT,
        "held@example.org": Mail.Status.SENDING,
    }
    assert Mail.objects.get(pk=failed.pk).attempts == 8


def test_staff_who_may_only_view_mail_cannot_retry_it_nor_add_or_edit_it(jobs: Any) -> None:
    viewer = make_user("viewer", staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mail"))
    client = Client()
    client.force_login(viewer)
    row = mail("failed@example.org", Mail.Status.FAILED)
    page = client.get(LIST)
    assert page.status_code == 200
    assert b"retry_now" not in page.content
    client.post(LIST, {"action": "retry_now", "_selected_action": [row.pk]})
    assert Mail.objects.get(pk=row.pk).status == Mail.Status.FAILED
    assert jobs.pending() == []
    assert client.get(f"{LIST}add/").status_code == 403
    change = client.post(f"{LIST}{row.pk}/change/", {"to_address": "x@example.org"})
    assert change.status_code in (200, 403)
    assert Mail.objects.get(pk=row.pk).to_address == "failed@example.org"


def test_a_member_without_staff_sees_no_mail(member: Any) -> None:
    mail("secret@example.org")
    client = Client()
    client.force_login(member)
    page = client.get(LIST)
    assert page.status_code == 302
    assert b"secret@example.org" not in page.content


def test_mailcheck_sends_a_test_mail_through_the_outbox(smtp_sink: Any, capsys: Any) -> None:
    call_command("mailcheck", "ops@example.org", language="ar", note="from the runbook")
    [message] = smtp_sink.wait_for(1)
    row = Mail.objects.get(kind=KIND)
    assert (row.status, row.to_address) == (Mail.Status.SENT, "ops@example.org")
    assert message["Message-ID"] == row.message_id
    assert message["Content-Language"] == "ar"
    assert "from the runbook" in text_part(message)
    assert f"mail {row.pk} to ops@example.org: sent" in capsys.readouterr().out


def test_mailcheck_reports_an_unreachable_server_and_the_mail_stays_queued(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2
    with pytest.raises(CommandError, match=r"pending.*retried with backoff"):
        call_command("mailcheck", "ops@example.org")
    row = Mail.objects.get(kind=KIND)
    assert (row.status, row.attempts) == (Mail.Status.PENDING, 1)
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error


def test_mailcheck_refuses_what_is_not_an_address() -> None:
    with pytest.raises(CommandError, match="address: not an email address"):
        call_command("mailcheck", "not an address")
    assert not Mail.objects.exists()
