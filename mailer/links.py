"""Links in mail: absolute, under SITE_URL (the site's public origin)."""

from __future__ import annotations

from django.conf import settings


def absolute(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"a site path starts with '/': {path!r}")
    return f"{settings.SITE_URL}{path}"
