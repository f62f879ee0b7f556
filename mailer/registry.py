"""What each kind of mail says: a renderer per kind, registered by the app that owns it.

A renderer takes the `Mail` row and returns the message to send, or None when there is
nothing left to say (the notifications were read, the address changed). Apps register
in their AppConfig.ready, so this floor knows none of them.

A kind may also register a `prefetch`: given the rows of that kind a delivery claimed,
it loads in a few queries what their renderer would otherwise read once per mail, and
leaves it on the rows (as Django's prefetch_related leaves its results on instances).
The renderer reads it there when it is present, and queries for itself when not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives

if TYPE_CHECKING:
    from mailer.models import Mail

logger = logging.getLogger(__name__)

Renderer = Callable[["Mail"], EmailMultiAlternatives | None]
Prefetch = Callable[[Sequence["Mail"]], None]

_renderers: dict[str, Renderer] = {}
_prefetches: dict[str, Prefetch] = {}


def renderer(kind: str, *, prefetch: Prefetch | None = None) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        if _renderers.get(kind, fn) is not fn:
            raise ValueError(f"mail kind {kind!r} already has a renderer")
        _renderers[kind] = fn
        if prefetch is not None:
            _prefetches[kind] = prefetch
        return fn

    return register


def prefetch(rows: Sequence[Mail]) -> None:
    """Each kind's prefetch on its rows. A failing one costs speed, not mail: its
    renderer then queries for itself."""
    by_kind: dict[str, list[Mail]] = {}
    for mail in rows:
        if mail.kind in _prefetches:
            by_kind.setdefault(mail.kind, []).append(mail)
    for kind, of_kind in by_kind.items():
        try:
            _prefetches[kind](of_kind)
        except Exception:
            logger.exception("prefetching %s mails of kind %s failed", len(of_kind), kind)


def render(mail: Mail) -> EmailMultiAlternatives | None:
    try:
        fn = _renderers[mail.kind]
    except KeyError:
        raise LookupError(f"no renderer for mail kind {mail.kind!r}") from None
    return fn(mail)


def kinds() -> list[str]:
    return sorted(_renderers)
