"""Delivery over a real SMTP connection when the server misbehaves: refused, stalled past
EMAIL_TIMEOUT, dropped mid-DATA, unreachable; one connection per batch; two workers on
the same rows; a worker whose lease ended. Every mail arrives exactly once in the end."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.utils import timezone

from mailer import compose, outbox, registry
from mailer.check import KIND
from mailer.models import Mail
from tests._queries import AllQueries
from tests._smtp import free_port
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def queue(count: int) -> list[int]:
    return outbox.queue_many(
        [
            outbox.new_row(KIND, to=f"m{n}@example.org", user=None, language="en", payload={})
            for n in range(count)
        ]
    )


def make_due(ids: list[int]) -> None:
    Mail.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())


def message_ids(sink: Any) -> list[str]:
    return [str(m["Message-ID"]) for m in sink.messages]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many SMTP connections were opened (one entry per connect)."""
    opened: list[int] = []
    real = smtplib.SMTP.connect

    def counting(self: smtplib.SMTP, *args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting)
    return opened


@pytest.mark.parametrize(
    "trouble",
    ["refuse 554", "refuse 451", "timeout", "drop mid-DATA"],
)
def test_the_mail_in_trouble_stays_pending_with_backoff_and_the_rest_of_the_batch_goes(
    smtp_sink: Any, settings: Any, trouble: str
) -> None:
    ids = queue(3)
    first = ids[0]
    outbox.deliver([first])  # the first goes alone, cleanly
    if trouble == "refuse 554":
        smtp_sink.refuse("554 5.7.1 rejected for now")
    elif trouble == "refuse 451":
        smtp_sink.refuse("451 4.3.0 try again later")
    elif trouble == "drop mid-DATA":
        smtp_sink.drop()
    else:
        settings.EMAIL_TIMEOUT = 0.5
        smtp_sink.rcpt_delay = 1.5  # stalls before DATA: nothing of this message arrives
    outbox.deliver([ids[1]])
    smtp_sink.rcpt_delay = 0.0
    troubled = Mail.objects.get(pk=ids[1])
    assert troubled.status == Mail.Status.PENDING
    assert troubled.attempts == 1
    assert troubled.next_attempt_at > timezone.now() + outbox.backoff(1) * 0.5
    assert troubled.last_error
    # Not due yet: the sweep finds only the third, never tried, and delivery leaves it.
    assert outbox.sweep() == 1
    assert outbox.deliver([ids[1]]) == 0
    assert outbox.deliver([ids[2]]) == 1  # the server is fine again for the next one
    make_due([ids[1]])
    assert outbox.deliver([ids[1]]) == 1
    assert outbox.deliver(ids) == 0  # all sent: nothing goes twice
    smtp_sink.wait_for(3)
    assert sorted(message_ids(smtp_sink)) == sorted(
        Mail.objects.filter(pk__in=ids).values_list("message_id", flat=True)
    )
    assert len(smtp_sink.messages) == 3
    assert Mail.objects.get(pk=ids[1]).attempts == 2


def test_a_refusal_in_the_middle_of_a_batch_keeps_the_connection_for_the_rest(
    smtp_sink: Any, connects: list[int]
) -> None:
    ids = queue(5)
    smtp_sink.refuse("550 5.1.1 mailbox unavailable")  # the first message only
    assert outbox.deliver(ids) == 4
    assert len(connects) == 1
    statuses = dict(Mail.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses[ids[0]] == Mail.Status.PENDING
    assert [statuses[pk] for pk in ids[1:]] == [Mail.Status.SENT] * 4


def test_a_batch_goes_over_one_connection(smtp_sink: Any, connects: list[int]) -> None:
    ids = queue(20)
    assert outbox.deliver(ids) == 20
    assert len(connects) == 1
    assert len(smtp_sink.wait_for(20)) == 20


def test_a_dropped_connection_is_opened_again_for_the_next_mail(
    smtp_sink: Any, connects: list[int]
) -> None:
    ids = queue(4)
    smtp_sink.drop()
    assert outbox.deliver(ids) == 3
    assert len(connects) == 2
    assert Mail.objects.get(pk=ids[0]).status == Mail.Status.PENDING


def test_an_unreachable_server_stops_the_batch_and_every_mail_waits_untried(
    settings: Any, connects: list[int]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    ids = queue(30)
    assert outbox.deliver(ids) == 0
    assert len(connects) == 1  # not 30 attempts at a dead server
    rows = list(Mail.objects.filter(pk__in=ids).order_by("id"))
    assert {row.status for row in rows} == {Mail.Status.PENDING}
    assert [row.attempts for row in rows] == [1] + [0] * 29
    assert all(row.next_attempt_at > timezone.now() for row in rows)
    assert all(row.lease_token == "" for row in rows)
    assert outbox.sweep() == 0  # they wait for their backoff


def test_a_server_that_drops_every_connection_stops_the_batch_after_two(
    smtp_sink: Any, connects: list[int]
) -> None:
    ids = queue(10)
    smtp_sink.drop(times=10)
    assert outbox.deliver(ids) == 0
    assert len(connects) == 2
    rows = Mail.objects.filter(pk__in=ids).order_by("id")
    attempts = list(rows.values_list("attempts", flat=True))
    assert attempts == [1, 1] + [0] * 8


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Every clock `seconds` ahead from here on (a worker that stalled that long)."""
    moved = timezone.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_a_worker_whose_lease_ended_neither_sends_nor_marks_a_row_claimed_again(
    smtp_sink: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    [pk] = queue(1)
    claim_a = outbox._claim([pk])  # worker A claims, then stalls past its lease
    later(monkeypatch, settings.MAIL_LEASE_SECONDS + 1)
    assert outbox.deliver([pk]) == 1  # worker B claims it again and sends it
    assert not claim_a.holds(0)  # A, waking up, finds it is not its own
    [row_a] = claim_a.rows
    outbox._finish(row_a, claim_a.token, Mail.Status.FAILED, "A's late verdict")
    outbox._retry(row_a, claim_a.token, "A's late retry")
    row = Mail.objects.get(pk=pk)
    assert (row.status, row.last_error, row.attempts) == (Mail.Status.SENT, "", 1)
    assert len(smtp_sink.wait_for(1)) == 1


def test_a_batch_past_half_its_lease_renews_it_for_the_rows_it_has_not_reached(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = queue(3)
    claim = outbox._claim(ids)
    first_until = claim.until
    assert claim.holds(0)  # fresh: no query, the lease stands
    later(monkeypatch, settings.MAIL_LEASE_SECONDS * 0.6)
    Mail.objects.filter(pk=ids[0]).update(status=Mail.Status.SENT, lease_token="")  # done
    assert claim.holds(1)
    rows = Mail.objects.filter(pk__in=ids).order_by("id")
    leases = list(rows.values_list("next_attempt_at", flat=True))
    assert leases[0] == first_until  # the row it had done keeps its old lease
    assert leases[1] == leases[2] == claim.until > first_until
    assert claim.until == timezone.now() + dt.timedelta(seconds=settings.MAIL_LEASE_SECONDS)


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_rows_send_each_mail_once(
    smtp_sink: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "the test database is SQLite's shared-cache memory file, which locks "
            "whole tables; the race runs on PostgreSQL (second pass)"
        )
    ids = queue(30)
    monkeypatch.setattr(outbox, "BATCH", 3)  # small claims, so both keep claiming
    smtp_sink.delay = 0.01
    sent: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            while went := outbox.deliver(ids):
                sent.append(went)
            sent.append(went)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(sent) == 30
    assert sent.count(0) == 2  # each worker stopped when nothing was left
    assert len(smtp_sink.wait_for(30)) == 30
    assert len(set(message_ids(smtp_sink))) == 30
    assert set(Mail.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Mail.Status.SENT
    }


@registry.renderer("test.greet_user")
def _greet_user(mail: Mail) -> EmailMultiAlternatives:
    assert mail.user is not None
    return compose.message(
        to=mail.to_address,
        subject=f"Hello {mail.user.username}",
        template="mailer/check",
        context={},
        language=mail.language,
    )


def test_a_batch_costs_the_same_queries_per_mail_however_large(smtp_sink: Any) -> None:
    def count(size: int) -> int:
        rows = [
            outbox.new_row(
                "test.greet_user",
                to=f"u{n}@example.org",
                user=make_user(),
                language="en",
                payload={},
            )
            for n in range(size)
        ]
        ids = outbox.queue_many(rows)
        with AllQueries() as queries:
            assert outbox.deliver(ids) == size
        return queries.count

    small, large = count(3), count(13)
    # One write per mail (marking it sent): its lease, taken for the batch, is long
    # enough not to need renewing. The users come in one query per batch.
    assert large - small == 1 * 10
    assert len(smtp_sink.wait_for(16)) == 16
