"""Reading the account mails in tests: their parts and the site links in them."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.core import mail as django_mail


def sent_to(address: str) -> list[Any]:
    """Messages Django's test backend holds for this address."""
    return [m for m in django_mail.outbox if address in m.to]


def html_of(message: Any) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("html",))
        assert part is not None, "no HTML part"
        return str(part.get_content())
    return str(message.alternatives[0][0])


def text_of(message: Any) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "no text part"
        return str(part.get_content())
    return str(message.body)


def link_in(message: Any, prefix: str) -> str:
    """The site path (starting with `prefix`) of the one such link in the text part."""
    pattern = rf"{re.escape(settings.SITE_URL)}({re.escape(prefix)}\S*/)"
    urls = set(re.findall(pattern, text_of(message)))
    assert len(urls) == 1, (urls, text_of(message))
    return urls.pop()


def uid_and_token(path: str) -> tuple[str, str]:
    uid, token = path.rstrip("/").split("/")[-2:]
    return uid, token
