"""Domain errors: what an action says when it cannot be carried out.

Actions (`check_*` / `do_*`) raise these and know nothing of HTTP or websockets:
`config.errors` turns them into the contract's error response, the websocket
consumer into an `error` frame, the web pages into a sentence next to a form.
One error shape everywhere: {"error": {"code", "message", "fields"}}.
"""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    """Raised by actions (`check_*`) when a request cannot be carried out.

    Actions know nothing of HTTP or websockets; the API and the consumer turn this
    into a response or an `error` frame with the same code and message.
    """

    status = 400

    def __init__(self, code: str, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}


class InvalidInput(ActionError):
    status = 400


class NotAllowed(ActionError):
    status = 403


class NotFound(ActionError):
    status = 404

    def __init__(self, message: str = "Not found.", code: str = "not_found") -> None:
        super().__init__(code, message)


class StateConflict(ActionError):
    status = 409


class TooLarge(ActionError):
    """Longer than a limit: `limit` in `unit` ("characters", "bytes" of text, or "MB" of a
    file), so a page can say the limit in its own language."""

    status = 413

    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        *,
        limit: int = 0,
        unit: str = "characters",
    ) -> None:
        super().__init__(code, message, fields)
        self.limit = limit
        self.unit = unit


class RateLimited(ActionError):
    """A budget (core.budgets) is spent: 429 with `Retry-After` over REST, an `error` frame
    with `retry_after` (seconds) over the websocket."""

    status = 429

    def __init__(self, message: str, retry_after: int, code: str = "rate_limited") -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
