"""Account actions: registration and the interface language (API tokens are accounts.tokens);
`display_name`, the name an account is shown by."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.identity import email_taken, username_taken
from core.errors import InvalidInput, StateConflict
from core.names import clean_name, normalize_username
from directory.models import Profile

USERNAME_TAKEN = ("username_taken", "This username is taken.", {"username": ["Taken."]})
EMAIL_TAKEN = ("email_taken", "An account with this email exists.", {"email": ["Taken."]})


def display_name(user: User) -> str:
    """The name shown next to a user's posts and messages."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()


@transaction.atomic
def do_register_user(username: str, email: str, password: str, display: str = "") -> User:
    """Create an account with a profile; a username (or a look-alike, core.names) and an
    email (whatever its case) belong to one account, which the database enforces."""
    User = get_user_model()
    username = normalize_username(username)
    if len(username) > 150:
        raise InvalidInput(
            "invalid", "The username is too long.", {"username": ["At most 150 characters."]}
        )
    if username_taken(username):
        raise StateConflict(*USERNAME_TAKEN)
    if email_taken(email):
        raise StateConflict(*EMAIL_TAKEN)
    user = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "invalid", "The password is too weak.", {"password": list(exc.messages)}
        ) from None
    user.set_password(password)
    try:
        # A concurrent registration of the same name or email commits first: the unique
        # indexes (auth_user.username, AccountKey) refuse this one, a 409 and no row.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if email_taken(email) and not username_taken(username):
            raise StateConflict(*EMAIL_TAKEN) from None
        raise StateConflict(*USERNAME_TAKEN) from None
    Profile.objects.create(user=user, display_name=clean_name(display))
    return user


def do_set_ui_language(user: User, code: str) -> None:
    """Remember the interface language a person chose (on the profile, but not a directory
    field: no reindex)."""
    if code not in dict(settings.LANGUAGES):
        raise InvalidInput("invalid", "Unknown language.", {"language": ["Unknown language."]})
    if not Profile.objects.filter(user=user).update(ui_language=code):
        Profile.objects.create(user=user, ui_language=code)
