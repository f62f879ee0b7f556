"""Sign-in lockout (CONTRACT.md "Accounts"), kept by django-axes on every door.

After `AXES_FAILURE_LIMIT` failures within `AXES_COOLOFF_TIME` for a username or from an
address, axes refuses the next sign-in, even with the right password, on every path that
calls `authenticate(request, ...)`: `auth/token/`, the web sign-in and `/admin/login/`.
This module gives axes what is ours:

- `lockout_username`: the name a lock is kept under, so "Amina" and "amina" share it;
- `LockoutMiddleware`: axes' middleware, which answers a locked-out request with
  `lockout_response`; it also learns of locks found through a DRF `Request` (axes marks
  the object it was given, which in a DRF view is the wrapper, not Django's request);
- `lockout_response`: 429 with `Retry-After`: the contract's JSON error under /api/, a
  page in the visitor's language elsewhere.

The client address comes from core.client_address (AXES_CLIENT_IP_CALLABLE), never
from a header the client sets.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.middleware import AxesMiddleware
from axes.signals import user_locked_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.client_address import request_client_address
from core.errors import error_body
from core.names import username_key

_AXES_ATTRIBUTES = (
    "axes_locked_out",
    "axes_credentials",
    "axes_attempt_time",
    "axes_ip_address",
    "axes_user_agent",
    "axes_path_info",
    "axes_http_accept",
    "axes_failures_since_start",
    "axes_updated",
)


def lockout_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """The username a lock is kept under: its confusable key (core.names.username_key: NFKC,
    case-folded, UTS #39 skeleton), so neither another case nor a look-alike of the name
    escapes its lock — the same key that makes such names one account."""
    if credentials:
        name = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", None) or {}
        name = data.get("username") if hasattr(data, "get") else None
    if not isinstance(name, str):
        return None
    # NFKC may lengthen a name many times over (U+FDFA is 18 letters): axes keeps 255.
    return username_key(name)[:255]


def lockout_address(request: Any) -> str | None:
    """The client address (core.client_address), or None when it is no IP address at all
    (a unix socket's peer): axes stores it in an address column."""
    address = request_client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


@receiver(user_locked_out)
def _mark_the_django_request(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """A lock found while authenticating a DRF `Request` marks Django's request too,
    which is the one the middleware sees."""
    inner = getattr(request, "_request", None)
    if isinstance(inner, HttpRequest) and inner is not request:
        for name in _AXES_ATTRIBUTES:
            if hasattr(request, name):
                setattr(inner, name, getattr(request, name))
        inner.axes_locked_out = True  # type: ignore[attr-defined]


class LockoutMiddleware(AxesMiddleware):
    """axes' middleware, run in sync mode only: its async path calls the lockout callable
    without the credentials (axes 8.3), which a username lock needs for its wait."""

    async_capable = False
    sync_capable = True


def seconds_until_unlocked(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """When the lock on this username or address lifts: once enough of the failures
    counted against it have aged past the cool-off for fewer than the limit to remain."""
    cool_off = get_cool_off(request) or timedelta(0)
    limit = get_failure_limit(request, credentials)
    now = timezone.now()
    wait = timedelta(0)
    handler = AxesProxyHandler.get_implementation()
    get_user_attempts = getattr(handler, "get_user_attempts", None)
    if get_user_attempts is None:  # a handler without rows (cache): the whole cool-off
        return max(1, math.ceil(cool_off.total_seconds()))
    for attempts in get_user_attempts(request, credentials):
        rows = list(
            attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start")
        )
        remaining = sum(failures for _, failures in rows)
        for attempt_time, failures in rows:
            if remaining < limit:
                break
            remaining -= failures
            wait = max(wait, attempt_time + cool_off - now)
    return max(1, math.ceil(wait.total_seconds()))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After, in the contract's shape under /api/."""
    seconds = seconds_until_unlocked(
        request, credentials or getattr(request, "axes_credentials", None)
    )
    minutes = max(1, math.ceil(seconds / 60))
    response: HttpResponse
    if request.path.startswith(("/api/", "/healthz")):
        message = f"Too many failed sign-ins; try again in {minutes} minute(s)."
        response = JsonResponse(error_body("rate_limited", message), status=429)
    else:
        response = render(request, "429.html", {"minutes": minutes}, status=429)
        response.shabaka_page = True  # type: ignore[attr-defined]
    response["Retry-After"] = str(seconds)
    return response
