"""core.jobs outside any engine's process: the schedule's interval from the environment,
a broker that is down, an engine name nobody knows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from core import jobs
from tests._process import ROOT


def settings_in_a_fresh_process(**env: str) -> dict[str, Any]:
    code = (
        "import json; from config import settings_jobs as s;"
        "print(json.dumps([s.JOBS_SCHEDULE, s.CELERY_BEAT_SCHEDULE]))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    schedule, beat = json.loads(done.stdout)
    return {"schedule": schedule, "beat": beat}


def test_jobs_every_name_sets_a_schedules_interval_for_the_thread_and_for_beat() -> None:
    default = settings_in_a_fresh_process()
    assert default["schedule"]["mail-sweep"]["every"] == 30
    faster = settings_in_a_fresh_process(JOBS_EVERY_MAIL_SWEEP="2.5")
    assert faster["schedule"]["mail-sweep"]["every"] == 2.5
    assert faster["beat"]["mail-sweep"]["schedule"] == 2.5


def test_a_broker_that_is_down_does_not_fail_what_already_committed(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class Unreachable:
        name = "tests.unreachable"

        def apply_async(self, **kwargs: Any) -> None:
            raise ConnectionRefusedError("the broker is down")

    settings.JOBS_ENGINE = "celery"
    jobs.submit(Unreachable(), (1,))  # logged, not raised: the sweep sends it later
    assert "could not enqueue tests.unreachable" in caplog.text


def test_an_unknown_engine_is_an_error_not_a_job_silently_dropped(settings: Any) -> None:
    settings.JOBS_ENGINE = "cron"
    with pytest.raises(ValueError, match="unknown JOBS_ENGINE 'cron'"):
        jobs.submit(print, ())
