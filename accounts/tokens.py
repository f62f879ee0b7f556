"""Issuing and revoking API tokens (one per sign-in), and the list a person sees.

Revoking deletes the row; accounts.signout turns every deletion (here, knox's expiry
clean-up, a password change, the admin) into the closing of that token's sockets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import get_digest_token
from knox.settings import CONSTANTS, knox_settings

from accounts.models import AuthToken
from core.errors import NotFound

# Sign-ins kept per person: each issues a token, and a script signing in in a loop must
# not grow the table without end; past this, the least recently used token goes.
MAX_TOKENS_PER_USER = 50
NAME_LENGTH = AuthToken._meta.get_field("name").max_length or 200


def device_name(name: str | None, user_agent: str | None) -> str:
    """What the account page calls the device: the name the client gave, else its User-Agent
    (printable characters only, cut to the column)."""
    text = (name or "").strip() or (user_agent or "").strip()
    return "".join(c for c in text if c.isprintable())[:NAME_LENGTH]


@transaction.atomic
def do_issue_token(user: Any, name: str = "") -> tuple[AuthToken, str]:
    """A new token for one device: (the row, the key, shown this once and never stored)."""
    now = timezone.now()
    mine = AuthToken.objects.filter(user=user)
    mine.filter(expiry__lt=now).delete()
    token, key = AuthToken.objects.create(user=user, name=name, last_used=now)
    stale = mine.order_by("-last_used", "-id").values_list("pk", flat=True)[MAX_TOKENS_PER_USER:]
    if stale:
        AuthToken.objects.filter(pk__in=list(stale)).delete()
    return token, key


def issue_keys(users: Iterable[Any], name: str = "") -> list[str]:
    """One token per user in one insert (benchmarks and tests that sign in thousands)."""
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    rows, keys = [], []
    for user in users:
        digest, key = get_digest_token()
        rows.append(
            AuthToken(
                user=user,
                digest=digest,
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                expiry=expiry,
                name=name,
            )
        )
        keys.append(key)
    AuthToken.objects.bulk_create(rows)
    return keys


def filter_own_tokens(user: Any) -> QuerySet[AuthToken]:
    """The user's tokens that still work (an expired one is deleted at its next use)."""
    alive = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(alive, user=user)


@transaction.atomic
def do_revoke_token(user: Any, token_id: int) -> None:
    """Revoke one of the user's own tokens; another's, or none, is a 404."""
    deleted, _ = AuthToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound()
