"""No NUL or lone surrogate in an address, a query string or a web form: a 400 at the door.

A NUL in a query parameter or a path (`/api/v1/networks/?q=a%00b`,
`/api/v1/profiles/a%00b/`) reached a lookup that PostgreSQL refuses with a 500 and
SQLite answered or stored. Nothing behind this middleware ever sees one: API paths
get the contract's 400 (code `invalid`, the parameter named), web pages the 400 page.
Web form posts are checked too: hand-read fields (`request.POST.get("body")`) have
no Django form field to refuse a NUL for them. JSON bodies are the API parser's
(config.parsers); the websocket's frames are realtime.frames'.

Surrogates cannot arrive this way (Django and daphne decode addresses and form bodies
with errors="replace", so invalid UTF-8 becomes U+FFFD); they are checked anyway,
since the check is the same and another server might decode differently.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict

from config.errors import JsonErrorMiddleware
from config.web import bad_request
from core.errors import error_body
from core.jsonsafety import bad_text, text_problem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
Problem = tuple[str, dict[str, list[str]]]


def _in_pairs(data: QueryDict, what: str) -> Problem | None:
    for key, values in data.lists():
        if bad_text(key) is not None:
            return f"A {what} name may not contain {bad_text(key)}.", {}
        for value in values:
            problem = text_problem(value)
            if problem is not None:
                return f"{key!r}: {problem}", {key: [problem]}
    return None


def find_problem(request: HttpRequest, *, forms: bool) -> Problem | None:
    """What is wrong with the request's address (and, with `forms`, its form body)."""
    for address in (request.path, request.path_info):
        if bad_text(address) is not None:
            return f"The address may not contain {bad_text(address)}.", {}
    problem = _in_pairs(request.GET, "parameter")
    if problem is None and forms and request.content_type in FORM_TYPES:
        try:
            post = request.POST
        except Exception:
            return None  # too large, or a broken upload: the view's own reading answers
        problem = _in_pairs(post, "field")
    return problem


class TextGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith(JsonErrorMiddleware.JSON_PREFIXES)
        problem = find_problem(request, forms=not api and request.method == "POST")
        if problem is None:
            return self.get_response(request)
        if api:
            message, fields = problem
            return JsonResponse(error_body("invalid", message, fields), status=400)
        return bad_request(request)
