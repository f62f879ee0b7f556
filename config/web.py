"""The site's own pages: home, and the error pages and middleware every path shares.

The shared pieces of pages live in `core.web`, the account pages in `accounts.web`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static

from community import queries
from core.errors import ActionError, NotFound, RateLimited
from core.web import error_message

logger = logging.getLogger(__name__)


# --- home and language -------------------------------------------------------------------


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask of pages that name no icon (the admin, the API
    docs): the site's icon, from the static files."""
    return redirect(static("favicon.svg"), permanent=True)


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: your networks and what to discover. Otherwise: what Shabaka is."""
    context: dict[str, Any] = {}
    if request.user.is_authenticated:
        networks = list(queries.list_networks(request.user)[:200])
        context["mine"] = [n for n in networks if getattr(n, "my_status", None) == "active"]
        context["waiting"] = [
            n for n in networks if getattr(n, "my_status", None) in ("pending", "invited")
        ]
        context["discover"] = [
            n
            for n in networks
            if getattr(n, "my_status", None) not in ("active", "pending", "invited", "banned")
        ][:6]
    else:
        context["discover"] = list(queries.list_networks(request.user)[:6])
    return render(request, "home.html", context)


# --- errors ---------------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # No request context: config.text_guard answers before authentication has run.
    return HttpResponse(loader.get_template("400.html").render({}), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from a context processor or the session.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


class WebErrorMiddleware:
    """Friendly error pages on web paths even when DEBUG shows tracebacks elsewhere.

    `make run` runs with DEBUG on; a person using the site must still never see a
    stack trace or Django's URL list. The traceback goes to the log instead.
    API paths are left to `JsonErrorMiddleware`.
    """

    API_PREFIXES = ("/api/", "/healthz", "/admin/", "/static/")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith(self.API_PREFIXES)
            and "text/html" in response.get("Content-Type", "")
            and not getattr(response, "shabaka_page", False)
        ):
            return _friendly_404(request)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith(self.API_PREFIXES):
            return None
        if isinstance(exc, Http404):
            return _friendly_404(request)
        if isinstance(exc, ActionError):
            if isinstance(exc, NotFound):
                return _friendly_404(request)
            response = render(
                request, "403.html", {"message": error_message(exc)}, status=exc.status
            )
            response.shabaka_page = True  # type: ignore[attr-defined]
            if isinstance(exc, RateLimited):
                response["Retry-After"] = str(exc.retry_after)
            return response
        logger.exception("Unhandled error on %s", request.path)
        return server_error(request)


def _friendly_404(request: HttpRequest) -> HttpResponse:
    response = page_not_found(request)
    response.shabaka_page = True  # type: ignore[attr-defined]
    return response
