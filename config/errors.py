"""The contract's error shape on HTTP: {"error": {"code", "message", "fields"}}.

`core.errors` holds the domain errors actions raise; this module wires them (and
DRF's and Django's own failures) to responses.

DRF's own exceptions (parse errors, 401/403/404/405, throttling) go through
`api_exception_handler`; Django-level failures under /api/ and /healthz (an unknown
path, a request body over DATA_UPLOAD_MAX_MEMORY_SIZE, an unexpected crash) go
through `JsonErrorMiddleware`, so no client ever receives an HTML stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.body_limit import body_limit
from core.errors import ActionError, RateLimited, error_body

logger = logging.getLogger(__name__)


def _flatten(detail: Any) -> Any:
    """DRF ErrorDetail trees → plain strings, lists and dicts."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(value) for value in detail]
    return str(detail)


_CODE_BY_CLASS: dict[type[Exception], str] = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionError):
        answer = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
        if isinstance(exc, RateLimited):
            answer["Retry-After"] = str(exc.retry_after)
        return answer
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, dict):
            non_field = detail.pop("non_field_errors", None)
            first = non_field[0] if non_field else "Some fields are invalid."
            body = error_body("invalid", str(first), detail)
        else:
            message = detail[0] if isinstance(detail, list) and detail else str(detail)
            body = error_body("invalid", str(message))
    else:
        assert isinstance(exc, exceptions.APIException)
        code = _CODE_BY_CLASS.get(type(exc)) or (
            exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        )
        body = error_body(str(code), str(exc.detail))
    response.data = body
    return response


def _too_large(request: HttpRequest) -> bool:
    limit = body_limit(request.path)
    if limit is None:
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit


_CODE_BY_STATUS = {
    400: ("bad_request", "Bad request."),
    401: ("not_authenticated", "Authentication required."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request body is too large."),
}


class JsonErrorMiddleware:
    """JSON errors for API paths where Django, not DRF, produced the failure.

    Listed first in MIDDLEWARE, so it also sees what other middleware answers on
    its own (a disallowed Host header, a CSRF failure): any error response under
    /api/ or /healthz that is not JSON yet is replaced by the contract's shape.
    """

    JSON_PREFIXES = ("/api/", "/healthz")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.JSON_PREFIXES):
            return self.get_response(request)
        if _too_large(request):
            # DRF's parsers read the request stream directly, bypassing Django's
            # DATA_UPLOAD_MAX_MEMORY_SIZE check in `request.body`; refuse here instead,
            # before any view (or parser) touches the body.
            return JsonResponse(
                error_body("too_large", "The request body is too large."), status=413
            )
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            code, message = _CODE_BY_STATUS.get(
                response.status_code,
                ("server_error", "Something went wrong on our side; it has been logged."),
            )
            converted = JsonResponse(error_body(code, message), status=response.status_code)
            # Every header but the body's own (Allow, Retry-After, WWW-Authenticate and the
            # security headers: CSP, Permissions-Policy, Referrer-Policy, nosniff).
            for header, value in response.items():
                if header.lower() not in {"content-type", "content-length"}:
                    converted[header] = value
            return converted
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith(self.JSON_PREFIXES):
            return None
        if isinstance(exc, RequestDataTooBig):
            return JsonResponse(
                error_body("too_large", "The request body is too large."), status=413
            )
        if isinstance(exc, Http404):
            return JsonResponse(error_body("not_found", "Not found."), status=404)
        if isinstance(exc, SuspiciousOperation):
            return JsonResponse(error_body("bad_request", "Bad request."), status=400)
        logger.exception("Unhandled error on %s", request.path)
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."),
            status=500,
        )
