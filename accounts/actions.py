"""Account actions: registration and the interface language (API tokens are accounts.tokens);
`display_name`, the name an account is shown by."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts import recovery
from accounts.deletion import ERASED_USERNAME
from accounts.identity import email_taken, username_taken
from core.errors import InvalidInput, StateConflict
from core.names import clean_name, normalize_username
from directory.models import Profile

USERNAME_TAKEN = ("username_taken", "This username is taken.", {"username": ["Taken."]})


@dataclass(frozen=True)
class Registration:
    """What a registration answers: the same shape whether an account was made (`user`)
    or the address already had one (`user` None: its owner was mailed instead)."""

    id: int
    username: str
    user: User | None


def display_name(user: User) -> str:
    """The name shown next to a user's posts and messages."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.erased_at is not None:
        return str(_("Deleted member"))
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()


def _as_if_registered(username: str, password: str, email: str, client: str) -> Registration:
    """An address that has an account: make nothing, tell its owner, and answer as a new
    account would (the password is hashed all the same, so the time matches too)."""
    make_password(password)
    recovery.tell_owner_of_address(email, client)
    last = get_user_model().objects.aggregate(last=Max("pk"))["last"] or 0
    return Registration(id=last + 1, username=username, user=None)


@transaction.atomic
def do_register_user(
    username: str,
    email: str,
    password: str,
    display: str = "",
    *,
    client: str = "",
    language: str = "",
) -> Registration:
    """Create an account with a profile and mail the link that verifies its address; a
    username (or a look-alike, core.names) and an email (whatever its case) belong to one
    account, which the database enforces. An address that has an account answers as a
    success and mails that account's owner (nothing tells the caller it exists)."""
    User = get_user_model()
    username = normalize_username(username)
    if len(username) > 150:
        raise InvalidInput(
            "invalid", "The username is too long.", {"username": ["At most 150 characters."]}
        )
    if username_taken(username) or ERASED_USERNAME.match(username):
        raise StateConflict(*USERNAME_TAKEN)  # deleted-<id> names a deleted account
    user = User(username=username, email=email)
    recovery.check_password(user, password, "password")
    if email_taken(email):
        return _as_if_registered(username, password, email, client)
    user.set_password(password)
    try:
        # A concurrent registration of the same name or email commits first: the unique
        # indexes (auth_user.username, AccountKey) refuse this one, and no row is made.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if email_taken(email) and not username_taken(username):
            return _as_if_registered(username, password, email, client)
        raise StateConflict(*USERNAME_TAKEN) from None
    code = language if language in dict(settings.LANGUAGES) else ""
    Profile.objects.create(user=user, display_name=clean_name(display), ui_language=code)
    recovery.do_send_verification(user)
    return Registration(id=user.pk, username=user.get_username(), user=user)


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA zones this machine knows (the tz database, through zoneinfo)."""
    return frozenset(zoneinfo.available_timezones())


def do_set_preferences(
    user: User, *, ui_language: str | None = None, timezone: str | None = None
) -> None:
    """The interface language and the time zone a person chose (either may be left as
    it is); an unknown one is a 400 naming its field, and nothing changes."""
    if ui_language is not None and ui_language not in dict(settings.LANGUAGES):
        raise InvalidInput("invalid", "Unknown language.", {"ui_language": ["Unknown language."]})
    if timezone is not None and timezone != "" and timezone not in time_zones():
        raise InvalidInput(
            "invalid", "Unknown time zone.", {"timezone": ["An IANA time zone, e.g. Europe/Paris."]}
        )
    fields = {
        name: value
        for name, value in (("ui_language", ui_language), ("timezone", timezone))
        if value is not None
    }
    if fields and not Profile.objects.filter(user=user).update(**fields):
        Profile.objects.create(user=user, **fields)


def do_set_ui_language(user: User, code: str) -> None:
    """Remember the interface language a person chose (on the profile, but not a directory
    field: no reindex)."""
    do_set_preferences(user, ui_language=code)
