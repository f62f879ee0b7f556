"""A production SECRET_KEY must be long, varied and private: refused at start otherwise.

Django's deploy check (security.W009) only warns of a weak key, and only when someone
runs `check --deploy`; the server starts anyway and signs sessions, password-reset
links and CSRF tokens with it. Here the settings refuse it, so no process starts.
A key written in the repository (README, docs, .env examples, tests, benchmarks) is
public however random it looks: it is refused too.
"""

from __future__ import annotations

from pathlib import Path

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

# Where example keys get written; whatever of it a deployment ships is searched.
PUBLISHED = ("README.md", ".env*", "*.env", "docs/**/*.md", "tests/**/*.py", "bench/**/*.py")
HOW = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def published_in(key: str, base_dir: Path) -> Path | None:
    """The repository file that contains the key, if any."""
    for pattern in PUBLISHED:
        for path in sorted(base_dir.glob(pattern)):
            try:
                if path.is_file() and key in path.read_text(errors="ignore"):
                    return path
            except OSError:
                continue
    return None


def check_secret_key(key: str, base_dir: Path) -> None:
    """Raise ImproperlyConfigured (never showing the key) unless it is fit for production."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        reason = f"is shorter than {SECRET_KEY_MIN_LENGTH} characters"
    elif len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        reason = f"has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters"
    elif key.startswith(SECRET_KEY_INSECURE_PREFIX):
        reason = f"starts with {SECRET_KEY_INSECURE_PREFIX!r} (a development key)"
    elif (path := published_in(key, base_dir)) is not None:
        reason = f"is published in {path.relative_to(base_dir)}"
    else:
        return
    raise ImproperlyConfigured(f"SECRET_KEY {reason}; {HOW}")
