"""A real SMTP server for tests: aiosmtpd on a free port of 127.0.0.1, in a thread.

Mail reaches it over TCP through Django's SMTP backend (or from a worker process), so a
test sees what a mail server would: the parsed messages with their headers and parts.
Knobs make it misbehave the way real servers do:

- `refuse(code_and_text, times=1)`: answer the next `times` DATA commands with that reply
  (e.g. ``"451 4.3.0 try again later"`` or ``"554 5.7.1 rejected"``);
- `delay = seconds`: wait that long before accepting each message (a slow server, or a
  window for killing a worker mid-delivery);
- `drop(times=1)`: close the connection in the middle of the next `times` DATA commands;
- `rcpt_delay = seconds`: wait that long before answering each RCPT TO, before any of the
  message is sent (a stalled server for timeouts, or a window for killing a worker: a
  client gone during it leaves nothing behind, unlike one gone during `delay`, after
  the whole message arrived). `wait_for_rcpts(n)` blocks until the n-th RCPT came.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    """The server and what it received. Use as a context manager or start()/stop()."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.delay = 0.0
        self.rcpt_delay = 0.0
        self.rcpts = 0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._refusals: list[str] = []
        self._drops = 0
        self._lock = threading.Condition()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)

    # --- knobs -------------------------------------------------------------------------

    def refuse(self, reply: str = "451 4.3.0 try again later", times: int = 1) -> None:
        with self._lock:
            self._refusals.extend([reply] * times)

    def drop(self, times: int = 1) -> None:
        with self._lock:
            self._drops += times

    # --- reading what arrived ----------------------------------------------------------

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until `count` messages arrived (or the timeout); returns them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return list(self.messages)

    def wait_for_rcpts(self, count: int, timeout: float = 10.0) -> int:
        """Block until `count` RCPT TO commands arrived (or the timeout); returns how many."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.rcpts < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return self.rcpts

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- called by the handler ---------------------------------------------------------

    def _next_trouble(self) -> tuple[str | None, bool]:
        with self._lock:
            if self._drops:
                self._drops -= 1
                return None, True
            if self._refusals:
                return self._refusals.pop(0), False
            return None, False

    def _rcpt(self) -> float:
        with self._lock:
            self.rcpts += 1
            self._lock.notify_all()
            return self.rcpt_delay

    def _received(self, sender: str, recipients: list[str], content: bytes) -> None:
        parsed = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.envelopes.append((sender, recipients))
            self.messages.append(parsed)
            self._lock.notify_all()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        delay = self.sink._rcpt()
        if delay:
            await asyncio.sleep(delay)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply, drop = self.sink._next_trouble()
        if drop:
            # The server's transport (the session has none): the client sees the line go.
            server.transport.close()
            return "421 4.4.2 connection dropped"
        if reply is not None:
            return reply
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        self.sink._received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        return "250 2.0.0 OK"


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the mail has no text/plain part"
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the mail has no text/html part"
    return str(part.get_content())


def links(message: EmailMessage, keep: Callable[[str], bool] = lambda url: True) -> list[str]:
    """Every http(s) URL in the text part, in order."""
    return [url for url in re.findall(r"https?://[^\s<>\"')]+", text_part(message)) if keep(url)]
