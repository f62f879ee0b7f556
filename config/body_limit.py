"""Request bodies past DATA_UPLOAD_MAX_MEMORY_SIZE: 413 as they arrive, never stored or parsed.

Django checks the limit only against `Content-Length` (and DRF's parsers read the stream
past it); a chunked body has none. Under daphne the body never even reaches the
application while it arrives: twisted writes it to a temporary file (`gotLength` →
`_getContentFile`: memory under 100,000 bytes, disk past that) and calls
`WebRequest.process` once it has all of it; daphne then reads the *whole* file into the
application's queue in one go. A 300 MB body cost 300 MB of the worker's memory before
any middleware could look at it. So the limit is applied in two places:

- `LimitedWebRequest`, daphne's request class with a byte count: a `Content-Length`
  over the limit is refused when the headers end, a chunked body as soon as its count
  passes it. The 413 is written at once (`Connection: close`), what follows is counted
  and dropped, and the connection closes when the client has finished sending (or after
  `LINGER_SECONDS`): a client that sends its whole body before reading, as most do,
  still reads the 413 instead of a connection reset. daphne has no option for this and
  builds its request class by name (`HTTPFactory.buildProtocol` → `WebRequest`), so
  `limit_daphne_request_bodies()` rebinds that name when config.asgi is loaded (every
  `daphne config.asgi:application` gets it, no launcher of our own needed).
- `BodySizeLimit`, an ASGI wrapper that counts `http.request` chunks: the same refusal
  under any other ASGI server, and a second check under daphne.

The answer is the contract's JSON error under /api/ and /healthz, a plain page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from io import BytesIO
from typing import Any, cast
from urllib.parse import unquote

from daphne import http_protocol
from django.conf import settings
from twisted.web import http as twisted_http

from core.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

JSON_PREFIXES = ("/api/", "/healthz")
# How long a refused upload may go on being received (and dropped) before the
# connection is closed on it; nginx's lingering_time has the same default.
LINGER_SECONDS = 30.0

_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>413 Request too large</title></head><body><h1>Request too large</h1>"
    "<p>What you sent is larger than this site accepts ({limit}).</p></body></html>"
)


def body_limit(path: str) -> int | None:
    """The most bytes a request body to `path` may have (None: no limit), read at each
    request: DATA_UPLOAD_MAX_MEMORY_SIZE, or the larger ceiling of a path that takes a
    file (UPLOAD_MAX_BYTES)."""
    special = settings.UPLOAD_MAX_BYTES.get(path)
    if special is not None:
        return int(special)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else int(limit)


def too_large(path: str) -> tuple[bytes, bytes]:
    """(content type, body) of the 413 answer for a request to `path`."""
    if path.startswith(JSON_PREFIXES):
        body = error_body("too_large", "The request body is too large.")
        return b"application/json", json.dumps(body).encode()
    limit = body_limit(path) or 0
    size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return b"text/html; charset=utf-8", _PAGE.format(limit=size).encode()


def _declared_length(headers: Any) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimit:
    """ASGI wrapper: 413 when `Content-Length` or the chunks received pass the limit.

    The refusal is sent from inside `receive`, and the application is told the client
    went away (`http.disconnect`), so Django stops reading and answers nothing itself.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope.get("path", "")) if scope["type"] == "http" else None
        if scope["type"] != "http" or limit is None:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope.get("headers") or [])
        if declared is not None and declared > limit:
            await self._refuse(scope, send)
            return
        received = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # once refused, the 413 was the whole answer
                await send(message)

        await self.app(scope, counted_receive, guarded_send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        content_type, body = too_large(scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def limit_daphne_request_bodies() -> None:
    """Make daphne build `LimitedWebRequest`s (idempotent; see the module's docstring)."""
    http_protocol.WebRequest = LimitedWebRequest


class LimitedWebRequest(http_protocol.WebRequest):
    """daphne's request, counting its body as it arrives (see the module's docstring)."""

    _body_bytes = 0
    _refused = False
    _answered = False
    _limit: int | None = None

    def gotLength(self, length: int | None) -> None:
        # Called once the headers are in, before any of the body: the limit of the path.
        self._limit = limit = body_limit(self._target())
        if length is not None and limit is not None and length > limit:
            # Nothing of it will be read: no 100 Continue invites the client to send it.
            self.requestHeaders.removeHeader(b"Expect")
            self.content = BytesIO()
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        self._body_bytes += len(data)
        if self._refused:
            return
        limit = self._limit if self._limit is not None else body_limit(self._target())
        if limit is not None and self._body_bytes > limit:
            self.content.close()  # the temporary file goes, with what it held
            self.content = BytesIO()
            self._refuse()
            return
        super().handleContentChunk(data)

    def process(self) -> Any:
        if not self._refused:
            return super().process()
        if self._answered:
            self._close()
        else:  # a channel we could not write to early (HTTP/2): answer now
            content_type, body = too_large(self._target())
            self.setResponseCode(413)
            self.setHeader(b"Content-Type", content_type)
            self.setHeader(b"Connection", b"close")
            self.write(body)
            self.finish()
        return None

    def _target(self) -> str:
        raw = getattr(self.channel, "_path", None) or getattr(self, "path", b"") or b""
        return unquote(raw.split(b"?", 1)[0].decode("latin-1"))

    def _refuse(self) -> None:
        """Answer 413 now on an HTTP/1 connection; drop the rest of the body."""
        from twisted.internet import reactor  # daphne's (installed by its app config)

        self._refused = True
        channel = self.channel
        if not isinstance(channel, twisted_http.HTTPChannel) or channel.transport is None:
            return
        content_type, body = too_large(self._target())
        head = (
            "HTTP/1.1 413 Content Too Large\r\n"
            f"Content-Type: {content_type.decode()}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        cast(Any, channel.transport).write(head.encode() + body)
        self._answered = True
        self._linger = cast(Any, reactor).callLater(LINGER_SECONDS, self._close)

    def _close(self) -> None:
        linger = getattr(self, "_linger", None)
        if linger is not None and linger.active():
            linger.cancel()
        channel = self.channel
        if channel is not None and channel.transport is not None:
            channel.transport.loseConnection()
