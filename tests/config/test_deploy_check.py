"""`manage.py check --deploy` in production settings, and a weak SECRET_KEY refused at start.

Each run is a real `manage.py` in a subprocess with the environment a deployment sets
(DEBUG off, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, …): what a deployment
sees, not what an in-process override_settings pretends.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The warnings only HTTPS settles (docs/reliability.md says why each stays).
HSTS, SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE = (
    "security.W004",
    "security.W008",
    "security.W012",
    "security.W016",
)


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SHABAKA_", "PYTEST_"))
        and key not in {"DEBUG", "SECRET_KEY", "SITE_URL", "CSRF_TRUSTED_ORIGINS"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shabaka.example",
        SITE_URL="https://shabaka.example",
        CSRF_TRUSTED_ORIGINS="https://shabaka.example",
        # Parsed, never connected to: `check --deploy` reaches no service.
        DATABASE_URL="postgres://shabaka@db.invalid:5432/shabaka",
        REDIS_URL="redis://redis.invalid:6379/0",
        MEILISEARCH_URL="http://search.invalid:7700",
        MEILISEARCH_API_KEY=secrets.token_hex(16),
        SHABAKA_VAR_DIR=str(tmp_path),
        SHABAKA_TESTING="0",
    )
    env.update(overrides)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def warning_ids(output: str) -> set[str]:
    return set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", output))


def test_check_deploy_in_production_warns_only_of_what_https_settles(tmp_path: Path) -> None:
    done = run(production_env(tmp_path), "manage.py", "check", "--deploy")
    assert done.returncode == 0, done.stderr
    assert warning_ids(done.stdout + done.stderr) <= {HSTS, SSL_REDIRECT}


def test_check_deploy_over_plain_http_adds_only_the_cookie_warnings(tmp_path: Path) -> None:
    """Served over plain http (a test deployment), cookies cannot be marked secure."""
    env = production_env(
        tmp_path,
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SITE_URL="http://shabaka.example",
    )
    done = run(env, "manage.py", "check", "--deploy")
    assert done.returncode == 0, done.stderr
    found = warning_ids(done.stdout + done.stderr)
    assert found <= {HSTS, SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE}


def weak_keys() -> dict[str, str]:
    env_example = re.search(r"^SECRET_KEY=(\S+)$", (ROOT / ".env.example").read_text(), re.M)
    assert env_example is not None, ".env.example sets SECRET_KEY"
    return {
        "49 characters": secrets.token_urlsafe(64)[:49],
        "4 distinct characters": "abcd" * 16,
        "Django's startproject prefix": "django-insecure-" + secrets.token_urlsafe(50),
        "the .env.example one": env_example.group(1),
        "a key written in the tests": TESTS_EXAMPLE_KEY,
    }


# A key that looks strong but is public: it is written here, in the repository.
TESTS_EXAMPLE_KEY = "Zq3v9-example-key-from-the-test-suite-4f8b2c1d7e6a5w0x"


@pytest.mark.parametrize("name", list(weak_keys()))
def test_a_weak_or_published_secret_key_is_refused_at_start(tmp_path: Path, name: str) -> None:
    key = weak_keys()[name]
    env = production_env(tmp_path, SECRET_KEY=key)
    # Not a check one may skip: the settings refuse it, so the server never starts.
    for argv in (
        ["manage.py", "check", "--deploy"],
        ["manage.py", "check"],
        ["-m", "daphne", "-b", "127.0.0.1", "-p", "0", "config.asgi:application"],
    ):
        done = run(env, *argv)
        assert done.returncode != 0, f"{name}: {argv} started"
        assert "ImproperlyConfigured" in done.stderr and "SECRET_KEY" in done.stderr
        assert key not in done.stderr + done.stdout  # the refusal never prints the key


def test_a_strong_key_is_accepted_with_debug_on_or_off(tmp_path: Path) -> None:
    """The control: a fresh random key starts, so the refusals above are the key's."""
    for debug in ("false", "true"):
        done = run(production_env(tmp_path, DEBUG=debug), "manage.py", "check")
        assert done.returncode == 0, done.stderr
