"""The mail outbox: queued with the change, sent once after commit, retried with backoff."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from mailer import compose, outbox, registry
from mailer.models import Mail

pytestmark = pytest.mark.django_db


@registry.renderer("test.hello")
def _hello(mail: Mail) -> EmailMultiAlternatives | None:
    if mail.payload.get("nothing"):
        return None
    return compose.message(
        to=mail.to_address,
        subject="Hello",
        template="mailer/test_hello",
        context={"name": mail.payload.get("name", "")},
        language=mail.language,
        unsubscribe_url=mail.payload.get("unsubscribe"),
    )


@pytest.fixture(autouse=True)
def _templates(settings: Any, tmp_path: Any) -> None:
    (tmp_path / "mailer").mkdir()
    (tmp_path / "mailer" / "test_hello.txt").write_text("Hello {{ name }}")
    (tmp_path / "mailer" / "test_hello.html").write_text(
        '{% extends "mailer/base.html" %}{% block content %}<p>Hello {{ name }}</p>{% endblock %}'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_a_queued_mail_goes_out_once_when_its_job_runs(jobs: Any) -> None:
    row = outbox.queue("test.hello", to="a@example.org", language="en", payload={"name": "Amina"})
    assert django_mail.outbox == []
    assert jobs.run_pending() == 1
    assert len(django_mail.outbox) == 1
    sent = django_mail.outbox[0]
    assert sent.to == ["a@example.org"]
    assert sent.body == "Hello Amina"
    assert sent.extra_headers["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Mail.Status.SENT, 1)
    # Delivering again, or sweeping, sends nothing more.
    assert outbox.deliver([row.pk]) == 0
    assert outbox.sweep() == 0
    assert len(django_mail.outbox) == 1


def test_arabic_mail_is_right_to_left_with_a_text_part_and_one_click_unsubscribe(
    jobs: Any,
) -> None:
    outbox.queue(
        "test.hello",
        to="a@example.org",
        language="ar",
        payload={"name": "أمينة", "unsubscribe": "http://testserver/u/x/"},
    )
    jobs.run_pending()
    sent = django_mail.outbox[0]
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="ar" dir="rtl">' in html
    assert "أمينة" in sent.body
    assert sent.extra_headers["List-Unsubscribe"] == "<http://testserver/u/x/>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.extra_headers["Content-Language"] == "ar"


def test_nothing_left_to_say_is_skipped(jobs: Any) -> None:
    row = outbox.queue("test.hello", to="a@example.org", language="en", payload={"nothing": 1})
    jobs.run_pending()
    row.refresh_from_db()
    assert row.status == Mail.Status.SKIPPED
    assert django_mail.outbox == []


def test_a_refused_delivery_is_retried_with_backoff_and_sent_once(
    jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = outbox.queue("test.hello", to="a@example.org", language="en")
    real_send = EmailMultiAlternatives.send

    def refuse(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    jobs.run_pending()
    row.refresh_from_db()
    assert row.status == Mail.Status.PENDING
    assert row.attempts == 1
    assert "gone" in row.last_error
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
    # Not yet due: the sweep leaves it alone.
    assert outbox.sweep() == 0
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    Mail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.sweep() == 1
    jobs.run_pending()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Mail.Status.SENT, 2)
    assert len(django_mail.outbox) == 1


def test_a_lease_held_by_a_dead_worker_ends_and_the_mail_goes_out(jobs: Any) -> None:
    row = outbox.queue("test.hello", to="a@example.org", language="en")
    jobs.clear()  # the job was lost
    claim = outbox._claim([row.pk])  # a worker took it, then died
    assert [m.pk for m in claim.rows] == [row.pk]
    assert outbox.deliver([row.pk]) == 0  # still under its lease
    Mail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.sweep() == 1
    jobs.run_pending()
    row.refresh_from_db()
    assert row.status == Mail.Status.SENT
    assert len(django_mail.outbox) == 1


def test_a_rolled_back_change_mails_nothing(jobs: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue("test.hello", to="a@example.org", language="en")
        raise RuntimeError
    jobs.run_pending()
    assert django_mail.outbox == []
    assert not Mail.objects.exists()


def test_countdown_jobs_wait_until_due(jobs: Any) -> None:
    ran: list[int] = []

    def job(n: int) -> None:
        ran.append(n)

    jobs.enqueue(job, 1, countdown=120)
    assert jobs.run_pending() == 0
    assert jobs.run_pending(now=timezone.now() + dt.timedelta(seconds=121)) == 1
    assert ran == [1]
