"""`Authorization: Token <key>`: knox's authentication, kept to one query a request.

knox looks the token up by its first characters, compares the digest and slides the
expiry with use (AUTO_REFRESH), writing at most once per MIN_REFRESH_INTERVAL. Two
changes here:

- knox also walks every other token of the user on every request, to delete the
  expired ones: one more query each time. Here only the token presented is checked;
  a person's expired tokens are deleted when they sign in again (accounts.tokens).
- The refresh also moves `last_used` on, in the same write.

A key that is not hex (what every knox and earlier DRF key is) is refused before it
reaches the database: a NUL in it would be an error on PostgreSQL, not a 401.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions

from accounts.models import AuthToken

# knox keys are 64 hex characters; keys carried over from DRF's authtoken are 40.
KEY = re.compile(rb"[0-9a-f]{40,128}")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        if not KEY.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, auth_token = super().authenticate_credentials(token)
        return user, auth_token

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """True (and the token deleted) if it has expired; other tokens are not read."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def renew_token(self, auth_token: AuthToken) -> None:
        now = timezone.now()
        expiry = now + knox_settings.TOKEN_TTL
        previous = auth_token.expiry
        if previous is None or (expiry - previous).total_seconds() > float(
            knox_settings.MIN_REFRESH_INTERVAL
        ):
            auth_token.expiry, auth_token.last_used = expiry, now
            auth_token.save(update_fields=("expiry", "last_used"))


def authenticate_key(key: str) -> tuple[Any, AuthToken] | None:
    """(user, token) for a raw key, as a request with it would get; None if refused."""
    try:
        return TokenAuthentication().authenticate_credentials(key.encode())
    except (exceptions.AuthenticationFailed, UnicodeEncodeError):
        return None
