"""A mail's two parts from templates, in the recipient's language.

`<template>.txt` is the plain-text part and `<template>.html` the HTML part (extending
`mailer/base.html`, which sets `lang` and `dir`, right-to-left for Arabic). With an
unsubscribe URL the message carries RFC 8058's one-click headers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from mailer import mime


def message(
    *,
    to: str,
    subject: Any,
    template: str,
    context: dict[str, Any],
    language: str,
    unsubscribe_url: str | None = None,
) -> EmailMultiAlternatives:
    """`subject` may be a lazy translation: it is rendered in `language` here."""
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
        text = render_to_string(f"{template}.txt", full)
        html = render_to_string(f"{template}.html", full)
    headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # mime.Message: the bytes Django would write, without its generator's cost per mail.
    mail = mime.Message(subject=subject_text, body=text, to=[to], headers=headers)
    mail.attach_alternative(html, "text/html")
    return mail
