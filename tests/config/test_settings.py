"""The test settings are chosen by pytest's configuration, not guessed from what is imported."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_the_suite_runs_on_the_test_settings() -> None:
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings_test"
    assert settings.TESTING is True
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_importing_pytest_does_not_make_the_settings_test_settings() -> None:
    env = {key: value for key, value in os.environ.items() if key != "SHABAKA_TESTING"}
    code = "import pytest, config.settings as s; print(s.TESTING, s.SEARCH_INLINE_WORKER)"
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]
