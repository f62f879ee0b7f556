"""Links in mail: absolute, under SITE_URL (the site's public origin)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation


def absolute(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"a site path starts with '/': {path!r}")
    return f"{settings.SITE_URL}{path}"


def url(name: str, *args: str | int) -> str:
    """`absolute(reverse(name, args=args))`, remembered: a digest run asks for the same
    few links (a network's page, the settings page) once per mail, and reverse() cost
    0.13 ms each. Keyed by everything reverse() reads besides its arguments, so a
    changed setting or URLconf is never answered from before."""
    return _url(
        settings.SITE_URL,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        translation.get_language(),
        name,
        args,
    )


@lru_cache(maxsize=1024)
def _url(
    site_url: str,
    urlconf: str,
    prefix: str,
    language: str | None,
    name: str,
    args: tuple[str | int, ...],
) -> str:
    return absolute(reverse(name, urlconf=urlconf, args=args))
