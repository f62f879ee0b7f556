"""Account actions: registration (API tokens are accounts.tokens)."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from config.errors import InvalidInput, StateConflict
from directory.models import Profile


def display_name(user: User) -> str:
    """The name shown next to a user's posts and messages."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()


@transaction.atomic
def do_register_user(username: str, email: str, password: str, display: str = "") -> User:
    """Create an account with a profile; usernames and emails are unique, case-insensitively."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise StateConflict("username_taken", "This username is taken.", {"username": ["Taken."]})
    if email and User.objects.filter(email__iexact=email).exists():
        raise StateConflict(
            "email_taken", "An account with this email exists.", {"email": ["Taken."]}
        )
    user = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "invalid", "The password is too weak.", {"password": list(exc.messages)}
        ) from None
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, display_name=display)
    return user
