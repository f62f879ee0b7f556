"""A mail's bytes without the email package's generator, for the shape every mail here
has: a plain-text body and text alternatives (HTML), UTF-8, no attachments.

`Message.message()` returns what Django's `EmailMultiAlternatives.message()` would, as
far as a mail backend reads it: `as_bytes(linesep=…)` gives the same bytes the email
package writes for that message — the same headers in the same order, folded by the same
compat32 policy, the same part headers and transfer encodings, the same kind of random
boundary checked against the parts. What the generator spends its time on is done once
per distinct value instead of once per mail: the folded form of a header (Subject,
From, MIME-Version… are the same for thousands of recipients) and a part's headers (they
depend only on its subtype and on whether its text is ASCII). The boundary check is a
substring test first (a line equal to the boundary contains it); only a hit compiles
the generator's own regular expression.

Any other shape (attachments, another charset, an empty part, a line longer than RFC
5322's 998 bytes, which Django sends quoted-printable) is built by Django itself.
tests/mailer/test_mime.py compares the bytes with Django's for many shapes.
"""

from __future__ import annotations

import random
import re
import sys
import time
from email import message_from_bytes
from email.policy import compat32
from email.utils import formatdate, make_msgid
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    SafeMIMEText,
    forbid_multi_line_headers,
)
from django.core.mail.utils import DNS_NAME

# The generator's line ends (email.generator.NLCRE) and boundary format.
_LINE_END = re.compile(r"\r\n|\r|\n")
_WIDTH = len(repr(sys.maxsize - 1))
_LIST_HEADERS = ("To", "Cc", "Reply-To")
_MAX_LINE = 78  # compat32's max_line_length


@lru_cache(maxsize=16)
def _policy(linesep: str) -> Any:
    return compat32.clone(linesep=linesep)


@lru_cache(maxsize=2048)
def _stored(name: str, value: str, encoding: str) -> str:
    """A header's value as Django's SafeMIME classes store it (encoded words for
    non-ASCII); raises BadHeaderError for a value with a line break, as they do."""
    return str(forbid_multi_line_headers(name, value, encoding)[1])


def _folded(name: str, stored: str, linesep: str) -> bytes:
    """`name: value` folded as BytesGenerator writes it, with its line end.

    compat32 leaves a value of printable ASCII without spaces alone when the line fits
    in its 78 characters (Header's ASCII split finds nothing to split, and nothing to
    encode): a recipient's own headers (To, Message-ID) are that, and are written
    without asking it. Anything else is folded by it, once per distinct value."""
    if (
        len(name) + 2 + len(stored) <= _MAX_LINE
        and stored.isascii()
        and stored.isprintable()
        and " " not in stored
    ):
        return f"{name}: {stored}{linesep}".encode("ascii")
    return _fold(name, stored, linesep)


@lru_cache(maxsize=2048)
def _fold(name: str, stored: str, linesep: str) -> bytes:
    return bytes(_policy(linesep).fold_binary(name, stored))


@lru_cache(maxsize=64)
def _part_head(subtype: str, ascii_only: bool, linesep: str) -> bytes:
    """A text part's headers and the blank line after them. They depend only on the
    subtype and on whether the text is ASCII (7bit) or not (8bit): taken from a part
    Django builds."""
    sample = SafeMIMEText("x" if ascii_only else "\u00e9", subtype, "utf-8")
    flat = sample.as_bytes(linesep=linesep)
    nl = linesep.encode()
    return flat[: flat.index(nl + nl) + 2 * len(nl)]


def _long_lines(text: str) -> bool:
    """Django's test for quoted-printable (SafeMIMEText.set_payload); a line of at most
    998 / 4 characters cannot be longer than 998 bytes."""
    lines = text.splitlines()
    if max(map(len, lines), default=0) <= RFC5322_EMAIL_LINE_LENGTH_LIMIT // 4:
        return False
    return any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in text.splitlines()
    )


def _boundary(parts: bytes) -> str:
    """email.generator.Generator._make_boundary: a random boundary, extended while a
    line of the parts is `--boundary` or `--boundary--`."""
    boundary = f"{'=' * 15}{random.randrange(sys.maxsize):0{_WIDTH}d}=="
    chosen, counter = boundary, 0
    while ("--" + chosen).encode() in parts and re.search(
        ("^--" + re.escape(chosen) + "(--)?$").encode("ascii"), parts, re.MULTILINE
    ):
        chosen = f"{boundary}.{counter}"
        counter += 1
    return chosen


class Flat:
    """A message as Django's mail backends read it (`as_bytes`, `get_charset`);
    anything else is read from the message parsed back from its bytes."""

    def __init__(
        self, headers: list[tuple[str, str]], texts: list[tuple[str, str]], encoding: str
    ) -> None:
        self._headers = headers  # (name, stored value), in Django's order
        self._texts = texts  # (subtype, text): the body, then the alternatives
        self._encoding = encoding
        self._boundary: str | None = None
        self._bytes: dict[str, bytes] = {}
        self._parsed: Any = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        flat = self._bytes.get(linesep)
        if flat is None:
            flat = self._bytes[linesep] = self._flatten(linesep)
        if unixfrom:  # as the generator does for a message without a Unix From line
            return f"From nobody {time.ctime(time.time())}{linesep}".encode() + flat
        return flat

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(unixfrom, linesep).decode(self._encoding, "surrogateescape")

    def get_charset(self) -> None:
        return None  # a multipart message has none (its parts have theirs)

    def __getitem__(self, name: str) -> Any:
        return self._message()[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message(), name)

    def _message(self) -> Any:
        if self._parsed is None:
            self._parsed = message_from_bytes(self.as_bytes(), policy=compat32)
        return self._parsed

    def _flatten(self, linesep: str) -> bytes:
        nl = linesep.encode()
        parts = [
            _part_head(subtype, text.isascii(), linesep)
            + _LINE_END.sub(linesep, text).encode("utf-8")
            for subtype, text in self._texts
        ]
        if self._boundary is None:  # chosen once, as a flattened message keeps its own
            self._boundary = _boundary(nl.join(parts))
        dash = b"--" + self._boundary.encode()
        content_type = f'multipart/alternative; boundary="{self._boundary}"'
        head = [_fold("Content-Type", content_type, linesep)]
        head += [_folded(name, value, linesep) for name, value in self._headers]
        body = dash + nl + (nl + dash + nl).join(parts) + nl + dash + b"--" + nl
        return b"".join(head) + nl + body


class Message(EmailMultiAlternatives):
    """EmailMultiAlternatives whose `message()` is a `Flat` when it can be."""

    def message(self) -> Any:
        flat = self._flat()
        return super().message() if flat is None else flat

    def _flat(self) -> Flat | None:
        encoding = self.encoding or settings.DEFAULT_CHARSET
        given: list[tuple[str, Any]] = [(self.content_subtype, self.body)]
        given += [(mimetype[5:], content) for content, mimetype in self.alternatives]
        texts = [(subtype, text) for subtype, text in given if isinstance(text, str)]
        if (
            len(texts) < len(given)  # bytes, or a lazy string: Django's way
            or encoding != "utf-8"  # Django's own test: another spelling is another charset
            or self.attachments
            or not self.alternatives
            or self.content_subtype != "plain"
            or self.alternative_subtype != "alternative"
            or any(not m.startswith("text/") for _, m in self.alternatives)
            or any(not text or _long_lines(text) for _, text in texts)
        ):
            return None
        try:
            for _, text in texts:
                text.encode("utf-8")
        except UnicodeError:
            return None  # Django's own error, from Django
        values: list[tuple[str, Any]] = [
            ("MIME-Version", "1.0"),
            ("Subject", self.subject),
            ("From", self.extra_headers.get("From", self.from_email)),
        ]
        for name, given in zip(_LIST_HEADERS, (self.to, self.cc, self.reply_to), strict=True):
            if name in self.extra_headers:
                values.append((name, self.extra_headers[name]))
            elif given:
                values.append((name, ", ".join(str(v) for v in given)))
        names = {key.lower() for key in self.extra_headers}
        if "date" not in names:
            values.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in names:
            values.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        values += [
            (name, value)
            for name, value in self.extra_headers.items()
            if name.lower() not in {"from", "to", "cc", "reply-to"}
        ]
        headers = [(name, _stored(name, str(value), encoding)) for name, value in values]
        return Flat(headers, texts, encoding)
