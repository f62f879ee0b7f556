"""One-click unsubscribe links (RFC 8058): signed, working signed out.

A link names the user and what it turns off — the kinds an instant mail carried, or a
digest — signed with django.core.signing under its own salt, so a tampered link is
refused and changes nothing. It carries no expiry: a mail read months later must still
be able to stop the next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from mailer.links import absolute
from notifications.models import EmailMode
from notifications.preferences import KINDS, do_turn_off

SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kinds: tuple[str, ...] = ()
    digest: str | None = None

    def apply(self) -> bool:
        return do_turn_off(self.user_id, kinds=self.kinds, digest=self.digest)


def token(user_id: int, *, kinds: Iterable[str] = (), digest: str | None = None) -> str:
    payload: dict[str, object] = {"u": int(user_id)}
    if digest is not None:
        payload["d"] = digest
    else:
        payload["k"] = sorted(set(kinds))
    return signing.dumps(payload, salt=SALT, compress=True)


def url(user_id: int, *, kinds: Iterable[str] = (), digest: str | None = None) -> str:
    signed = token(user_id, kinds=kinds, digest=digest)
    return absolute(reverse("web:notifications-unsubscribe", args=[signed]))


def parse(signed: str) -> Unsubscribe | None:
    """What a link turns off, or None when it was not made here (tampered, truncated)."""
    try:
        payload = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    digest = payload.get("d")
    if digest is not None:
        if digest not in (EmailMode.DAILY, EmailMode.WEEKLY):
            return None
        return Unsubscribe(payload["u"], digest=digest)
    kinds = payload.get("k")
    if not isinstance(kinds, list) or not kinds or not all(k in KINDS for k in kinds):
        return None
    return Unsubscribe(payload["u"], kinds=tuple(kinds))
