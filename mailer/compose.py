"""A mail's two parts from templates, in the recipient's language.

`<template>.txt` is the plain-text part and `<template>.html` the HTML part (extending
`mailer/base.html`, which sets `lang` and `dir`, right-to-left for Arabic). With an
unsubscribe URL the message carries RFC 8058's one-click headers.

A mail sent to thousands in the same words (a digest) says what makes its words the same
with `shared`: its two parts are then rendered once per process for that key, language
and subject, with a hole where the unsubscribe URL goes, and each mail fills the hole
with its own URL — the only thing in them that is the recipient's.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from mailer import mime

# Letters and digits only, so that no escaping changes it, and unguessable, so that no
# text contains it. A template that does more with the URL than print it (a filter)
# fails the check in `_shared_parts` and is rendered for each mail.
_HOLE = f"unsubscribe{secrets.token_hex(16)}"
_MAX_SHARED = 512
_shared: dict[Hashable, Any] = {}  # key → holed (text, html), or None: render per mail
_UNKNOWN = object()


def message(
    *,
    to: str,
    subject: Any,
    template: str,
    context: dict[str, Any],
    language: str,
    unsubscribe_url: str | None = None,
    shared: Hashable | None = None,
) -> EmailMultiAlternatives:
    """`subject` may be a lazy translation: it is rendered in `language` here.

    `shared`: a key that decides `context` (with the template, language and subject):
    the parts rendered for one mail with that key serve every mail with it. The context
    must then hold nothing of the recipient; their unsubscribe URL is filled in."""
    with translation.override(language):
        subject_text = " ".join(str(subject).split())  # one line: no header injection
        full = {
            "site_url": settings.SITE_URL,
            "language": language,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
            "subject": subject_text,
            "unsubscribe_url": unsubscribe_url,
            **context,
        }
        if shared is None or not unsubscribe_url:
            text, html = _render(template, full)
        else:
            key = (template, language, subject_text, settings.SITE_URL, shared)
            text, html = _shared_parts(key, template, full, unsubscribe_url)
    headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # mime.Message: the bytes Django would write, without its generator's cost per mail.
    mail = mime.Message(subject=subject_text, body=text, to=[to], headers=headers)
    mail.attach_alternative(html, "text/html")
    return mail


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    return (
        render_to_string(f"{template}.txt", context),
        render_to_string(f"{template}.html", context),
    )


def _shared_parts(
    key: Hashable, template: str, context: dict[str, Any], unsubscribe_url: str
) -> tuple[str, str]:
    """The parts for `context`, from the ones rendered for `key` with a hole for the URL.

    The first mail of a key renders both ways, and the holed parts are kept only if
    filling the hole gives exactly what the template gave for that mail. A URL that
    escaping would change (not one of ours: they are letters, digits and `/:._-`) is
    rendered for its mail."""
    if escape(unsubscribe_url) != unsubscribe_url:
        return _render(template, context)
    known = _shared.get(key, _UNKNOWN)
    if known is _UNKNOWN:
        holed = _render(template, {**context, "unsubscribe_url": _HOLE})
        parts = _render(template, context)
        filled = tuple(part.replace(_HOLE, unsubscribe_url) for part in holed)
        if len(_shared) >= _MAX_SHARED:
            _shared.clear()
        _shared[key] = holed if filled == parts else None
        return parts
    if known is None:
        return _render(template, context)
    text, html = known
    return text.replace(_HOLE, unsubscribe_url), html.replace(_HOLE, unsubscribe_url)
