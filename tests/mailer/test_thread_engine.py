"""The embedded job engine (JOBS_ENGINE=thread, the default without Redis).

In this process: its schedule is queued once however often it is started, a failing job
neither stops the thread nor drops its own schedule, and a forked child starts from
nothing. Then for real: `make run`-style daphne alone (no Redis, no worker, its own
database) delivers mail from its thread, its sweep finds a mail written while no job
was enqueued, and a request that causes mail answers without waiting for SMTP.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import jobs
from tests._process import ROOT, DaphneWorker
from tests._smtp import SmtpSink, html_part
from tests.web.live import _database

TICKS: list[float] = []
BOOMS: list[float] = []
DONE: list[str] = []


def tick() -> None:
    TICKS.append(time.monotonic())


def boom() -> None:
    BOOMS.append(time.monotonic())
    raise RuntimeError("a job that fails every time")


def record(what: str) -> None:
    DONE.append(what)


def wait_for(condition: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def engine(settings: Any) -> Iterator[jobs._ThreadEngine]:
    """A thread engine of its own with a fast schedule, stopped after the test."""
    settings.JOBS_SCHEDULE = {
        "tick": {"task": f"{__name__}.tick", "every": 0.05},
        "boom": {"task": f"{__name__}.boom", "every": 0.05},
    }
    TICKS.clear()
    BOOMS.clear()
    DONE.clear()
    fresh = jobs._ThreadEngine()
    try:
        yield fresh
    finally:
        fresh.stop()


def test_the_schedule_is_queued_once_however_often_the_engine_starts(
    engine: jobs._ThreadEngine,
) -> None:
    for _ in range(3):
        engine.start()
    engine.submit(record, ("a",), 0)
    engine.submit(record, ("b",), 0)
    assert wait_for(lambda: len(DONE) == 2)
    assert sorted(name for name, _ in engine.periodic()) in (
        ["boom", "tick"],
        ["tick"],  # boom is running at this very moment
        ["boom"],
    )
    # A thread that died is started again without queuing the schedule a second time.
    engine.stop()
    engine.start()
    time.sleep(0.1)
    names = [name for name, _ in engine.periodic()]
    assert len(names) == len(set(names)) <= 2
    count = len(TICKS)
    time.sleep(0.5)
    assert 4 <= len(TICKS) - count <= 12  # every 0.05 s, not twice as often


def test_a_failing_job_neither_stops_the_thread_nor_drops_its_schedule(
    engine: jobs._ThreadEngine, caplog: pytest.LogCaptureFixture
) -> None:
    engine.start()
    engine.submit(boom, (), 0)
    engine.submit(record, ("after the failure",), 0.01)
    assert wait_for(lambda: DONE == ["after the failure"])
    assert wait_for(lambda: len(BOOMS) >= 5 and len(TICKS) >= 5)
    assert engine.thread is not None and engine.thread.is_alive()
    assert "a job that fails every time" in caplog.text


def test_a_countdown_job_runs_when_due_not_before(engine: jobs._ThreadEngine) -> None:
    engine.submit(record, ("later",), 0.4)
    engine.submit(record, ("now",), 0)
    assert wait_for(lambda: DONE == ["now"])
    time.sleep(0.1)
    assert DONE == ["now"]
    assert wait_for(lambda: DONE == ["now", "later"])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_starts_with_an_empty_engine_and_its_own_lock(
    engine: jobs._ThreadEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "_thread", engine)
    engine.start()
    engine.submit(record, ("not for the child",), 60)
    parent_lock = id(engine.cond)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave at once, touching nothing of the parent's
        child = jobs._thread
        state = (
            f"{len(child.heap)} {child.thread is None} {child.scheduled} "
            f"{id(child.cond) != parent_lock}"
        )
        os.write(write, state.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        assert pipe.read() == "0 True False True"
    assert len(engine.heap) >= 2  # the parent keeps its jobs


# --- daphne alone: the embedded default for real ------------------------------------


class Browser:
    """Plain HTTP with cookies and Django's CSRF token, as a signed-in admin."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return str(response.read().decode())

    def post(self, path: str, fields: list[tuple[str, str]]) -> int:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, page[:2000]
        data = urllib.parse.urlencode([("csrfmiddlewaretoken", token.group(1)), *fields])
        request = urllib.request.Request(  # noqa: S310 - loopback only
            self.base + path, data=data.encode(), method="POST"
        )
        with self.opener.open(request, timeout=20) as response:
            return int(response.status)


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
def alone(sink: SmtpSink) -> Iterator[tuple[DaphneWorker, dict[str, str]]]:
    """daphne as `make run` starts it: no Redis, no worker, no JOBS_ENGINE, a database
    of its own (SQLite file, or a fresh PostgreSQL database in the services pass)."""
    with (
        tempfile.TemporaryDirectory(prefix="shabaka-jobs-") as tmpdir,
        _database(Path(tmpdir)) as db_env,
    ):
        env = {**os.environ, **db_env}
        for name in ("REDIS_URL", "JOBS_ENGINE", "SHABAKA_TESTING", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        env.update(
            DEBUG="true",
            SHABAKA_VAR_DIR=str(Path(tmpdir) / "var"),
            EMAIL_HOST=sink.host,
            EMAIL_PORT=str(sink.port),
            EMAIL_TIMEOUT="10",
            JOBS_EVERY_MAIL_SWEEP="1",
            PYTHONUNBUFFERED="1",
        )
        manage(env, "migrate", "-v", "0")
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User;"
            "User.objects.create_superuser('ops', 'ops@example.org', 'jobs-engine-pass')",
        )
        server = DaphneWorker(env, name="daphne-alone")
        try:
            server.start()
            yield server, env
        finally:
            server.stop()


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


WRITE_ROW = (
    "from mailer import outbox; from mailer.check import KIND;"
    "row = outbox.new_row(KIND, to={to!r}, user=None, language={language!r}, payload={{}});"
    "row.save(); print(row.pk, row.message_id)"
)


def test_daphne_alone_sweeps_up_a_mail_no_job_was_enqueued_for(
    alone: tuple[DaphneWorker, dict[str, str]], sink: SmtpSink
) -> None:
    server, env = alone
    sink.clear()
    # Another process writes the row and enqueues nothing: only the server's sweep sees it.
    _pk, message_id = manage(
        env, "shell", "-c", WRITE_ROW.format(to="swept@example.org", language="ar")
    ).split()
    [message] = sink.wait_for(1, timeout=15)
    assert message["Message-ID"] == message_id
    assert message["To"] == "swept@example.org"
    assert 'dir="rtl"' in html_part(message)
    assert "Traceback" not in server.log()


def test_a_request_that_causes_mail_answers_without_waiting_for_smtp(
    alone: tuple[DaphneWorker, dict[str, str]], sink: SmtpSink
) -> None:
    server, env = alone
    sink.clear()
    # A mail given up on, so nothing but the request below sends it.
    pk, message_id = manage(
        env,
        "shell",
        "-c",
        WRITE_ROW.format(to="retried@example.org", language="en").replace(
            "row.save()", "row.status = 'failed'; row.save()"
        ),
    ).split()
    browser = Browser(server.url)
    assert (
        browser.post(
            "/admin/login/?next=/admin/",
            [("username", "ops"), ("password", "jobs-engine-pass"), ("next", "/admin/")],
        )
        == 200
    )
    sink.rcpt_delay = 3.0  # the mail server takes its time
    try:
        started = time.monotonic()
        status = browser.post(
            "/admin/mailer/mail/", [("action", "retry_now"), ("_selected_action", pk)]
        )
        answered_in = time.monotonic() - started
        assert status == 200
        assert answered_in < 2.5, answered_in  # two requests (page + POST), no SMTP wait
        assert sink.messages == []
        [message] = sink.wait_for(1, timeout=15)
    finally:
        sink.rcpt_delay = 0.0
    assert message["Message-ID"] == message_id
