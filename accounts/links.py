"""The one-use links mailed to an account: password reset and email verification.

Both are Django's `PasswordResetTokenGenerator` (HMAC of the account's state and a
timestamp, valid `PASSWORD_RESET_TIMEOUT`, 24 h), each with its own `key_salt` so a
token of one kind is no token of the other. What the hash covers makes a link one-use:

- reset: Django's own value (the password hash and the last sign-in), so the link dies
  once the password is changed or the person signs in;
- verification: the address and the key of the address last verified, so the link dies
  once it is followed, and when the address changes.

A link is `/<uid>/<token>/`, uid the urlsafe base64 of the primary key.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import AccountKey
from mailer.links import absolute


class ResetTokens(PasswordResetTokenGenerator):
    key_salt = "accounts.links.ResetTokens"


class VerifyTokens(PasswordResetTokenGenerator):
    key_salt = "accounts.links.VerifyTokens"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        verified = (
            AccountKey.objects.filter(user_id=user.pk)
            .values_list("email_verified_key", flat=True)
            .first()
        )
        return f"{user.pk}\x00{user.email}\x00{verified or ''}\x00{timestamp}\x00{user.is_active}"


reset_tokens = ResetTokens()
verify_tokens = VerifyTokens()


def uid_of(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_of(uid: object) -> User | None:
    """The account a uid names, or None for anything else (never an error)."""
    if not isinstance(uid, str) or not 0 < len(uid) <= 32:
        return None
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def checked(generator: PasswordResetTokenGenerator, uid: object, token: object) -> User | None:
    """The active account whose link this is, if the token is still good for it."""
    user = user_of(uid)
    if user is None or not user.is_active or not isinstance(token, str) or len(token) > 64:
        return None
    return user if generator.check_token(user, token) else None


def reset_url(user: User) -> str:
    return absolute(
        reverse("web:password-reset", args=[uid_of(user), reset_tokens.make_token(user)])
    )


def verify_url(user: User) -> str:
    return absolute(
        reverse("web:verify-email", args=[uid_of(user), verify_tokens.make_token(user)])
    )
