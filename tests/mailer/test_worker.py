"""A real Celery worker on Redis runs the mail jobs (services pass): a job a request
enqueues is run by the worker process; a worker SIGKILLed mid-delivery and started
again leaves every mail delivered exactly once, counted at a real SMTP server.

The worker and beat are `celery -A config worker|beat` child processes on the test
database (a transactional test: what the test writes is committed, so they see it), on
this run's Redis under a key prefix of their own, mailing the test's SMTP sink.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from mailer import outbox
from mailer.check import KIND
from mailer.models import Mail
from tests._live import worker_env
from tests._process import ChildProcess
from tests.factories.users import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LEASE = 4  # seconds a worker holds a mail: the killed worker's rows come back after it


class CeleryProcess(ChildProcess):
    """`celery -A config <args>`, ready once its log says so (it listens on no port)."""

    def __init__(self, name: str, env: dict[str, str], *args: str, ready: str) -> None:
        argv = [sys.executable, "-m", "celery", "-A", "config", *args]
        # Stopped at the end of a test at once: the rows, not the process, hold the state.
        super().__init__(name, argv, env, stop_signal=signal.SIGKILL)
        self.ready = ready

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.ready in self.log():
                return
            if not self.alive:
                break
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"{self.name} did not start:\n{self.log()[-4000:]}")


def redis_url() -> str:
    """This run's Redis; missing, the test is skipped, except on CI, where it fails."""
    import redis

    url = django_settings.REDIS_URL
    problem = "REDIS_URL is not set"
    if url:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
            return url
        except redis.RedisError as error:
            problem = f"Redis at {url} does not answer: {error!r}"
    if os.environ.get("CI") == "true":
        pytest.fail(problem)
    pytest.skip(problem)


def forget_connections(app: Any) -> None:
    """Close the test process's broker connections and producers, so the next job opens
    new ones with the configuration as it is now."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery(
    settings: Any, smtp_sink: Any, transactional_db: Any
) -> Iterator[Callable[[str], CeleryProcess]]:
    """celery("worker") / celery("beat") → a started process of this test; the test's
    own jobs go to the same Redis and prefix (JOBS_ENGINE celery)."""
    from config.celery import app

    url = redis_url()
    prefix = f"{os.environ.get('CHANNEL_PREFIX', 'shabaka')}-mail-{secrets.token_hex(4)}"
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": prefix}
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.broker_transport_options = url, options
    forget_connections(app)  # the next job connects with this prefix
    settings.JOBS_ENGINE = "celery"
    env = worker_env(
        JOBS_ENGINE="celery",
        REDIS_URL=url,
        CELERY_PREFIX=prefix,
        EMAIL_HOST=smtp_sink.host,
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_TIMEOUT="5",
        MAIL_LEASE_SECONDS=str(LEASE),
        JOBS_EVERY_MAIL_SWEEP="1",
        LOG_LEVEL="WARNING",
    )
    started: list[CeleryProcess] = []

    def start(role: str) -> CeleryProcess:
        if role == "worker":
            args = [
                "worker",
                "--pool",  # the job runs in the process a SIGKILL stops, not in a child
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                "--hostname",
                f"mail-{prefix}-{len(started)}@localhost",
            ]
            process = CeleryProcess(f"worker{len(started)}", env, *args, ready=" ready.")
        else:
            args = ["beat", "--loglevel", "INFO", "--schedule", "{dir}/beat-schedule"]
            process = CeleryProcess("beat", env, *args, ready="beat: Starting")
        started.append(process)
        return process.start()

    try:
        yield start
    finally:
        for process in started:
            process.stop()
        forget_connections(app)
        app.conf.broker_url, app.conf.broker_transport_options = saved
        drop_keys(url, prefix)


def drop_keys(url: str, prefix: str) -> None:
    """Leave the shared Redis as found: the queue, unacked jobs and bindings of this test."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)


def wait_until(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_job_enqueued_by_a_request_is_run_by_the_worker_process(
    celery: Callable[[str], CeleryProcess], smtp_sink: Any, client: Any
) -> None:
    worker = celery("worker")
    # A mail given up on, with no job for it anywhere: only the request brings it back.
    row = outbox.new_row(KIND, to="ops@example.org", user=None, language="fr", payload={})
    row.status = Mail.Status.FAILED
    row.save()
    admin = make_user("admin", staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/mailer/mail/", {"action": "retry_now", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    [message] = smtp_sink.wait_for(1, timeout=20)
    assert message["Message-ID"] == row.message_id
    assert message["Content-Language"] == "fr"
    wait_until(
        lambda: Mail.objects.get(pk=row.pk).status == Mail.Status.SENT, 10, "the row marked sent"
    )
    assert "mailer.tasks.deliver" in worker.log()


def test_a_worker_killed_mid_delivery_and_restarted_sends_every_mail_exactly_once(
    celery: Callable[[str], CeleryProcess], smtp_sink: Any
) -> None:
    celery("beat")  # the sweep, every second: it finds what the dead worker held
    worker = celery("worker")
    smtp_sink.rcpt_delay = 0.1  # each mail takes a while: the kill lands mid-batch
    ids = outbox.queue_many(
        [
            outbox.new_row(KIND, to=f"m{n}@example.org", user=None, language="en", payload={})
            for n in range(40)
        ]
    )  # committed at once (autocommit): one delivery job for the 40 goes to Redis
    # The 12th mail's RCPT is held by the server: 11 went, the worker is mid-delivery.
    assert smtp_sink.wait_for_rcpts(12, timeout=30) >= 12
    worker.kill()  # SIGKILL: no goodbye, its claim and its job are left behind
    at_kill = dict(Mail.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert 0 < list(at_kill.values()).count(Mail.Status.SENT) < 40
    assert Mail.Status.SENDING in at_kill.values()
    celery("worker")
    wait_until(
        lambda: Mail.objects.filter(pk__in=ids, status=Mail.Status.SENT).count() == 40,
        45,
        "all 40 mails sent",
    )
    time.sleep(2)  # a duplicate would arrive now, if anything sent one
    message_ids = [str(m["Message-ID"]) for m in smtp_sink.messages]
    assert len(message_ids) == 40
    assert set(message_ids) == set(
        Mail.objects.filter(pk__in=ids).values_list("message_id", flat=True)
    )
