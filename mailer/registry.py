"""What each kind of mail says: a renderer per kind, registered by the app that owns it.

A renderer takes the `Mail` row and returns the message to send, or None when there is
nothing left to say (the notifications were read, the address changed). Apps register
in their AppConfig.ready, so this floor knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives

if TYPE_CHECKING:
    from mailer.models import Mail

Renderer = Callable[["Mail"], EmailMultiAlternatives | None]

_renderers: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        if _renderers.get(kind, fn) is not fn:
            raise ValueError(f"mail kind {kind!r} already has a renderer")
        _renderers[kind] = fn
        return fn

    return register


def render(mail: Mail) -> EmailMultiAlternatives | None:
    try:
        fn = _renderers[mail.kind]
    except KeyError:
        raise LookupError(f"no renderer for mail kind {mail.kind!r}") from None
    return fn(mail)


def kinds() -> list[str]:
    return sorted(_renderers)
