"""Keeping every account's AccountKey in step with its username and email.

Every save of a user that changes its username or email rewrites its keys in the same
transaction (a signal, so the admin, the importer and `create_user` are covered too);
the unique indexes then refuse a look-alike or a second account for one address.
`UsernameKeyBackend` lets a person sign in typing their username in another case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.db.models import F, Q
from django.db.models.signals import post_save, pre_save

from accounts.models import AccountKey
from core.names import email_key, username_key


def keys_for(user: User) -> dict[str, str | None]:
    return {"username_key": username_key(user.username), "email_key": email_key(user.email)}


def username_taken(username: str, *, exclude: int | None = None) -> bool:
    """Whether an account already holds this username or a look-alike of it."""
    keys = AccountKey.objects.filter(username_key=username_key(username))
    if exclude is not None:
        keys = keys.exclude(user_id=exclude)
    return keys.exists()


def email_taken(email: str, *, exclude: int | None = None) -> bool:
    key = email_key(email)
    if key is None:
        return False
    keys = AccountKey.objects.filter(email_key=key)
    if exclude is not None:
        keys = keys.exclude(user_id=exclude)
    return keys.exists()


def verified_email(prefix: str = "") -> Q:
    """Users (or rows reaching one through `prefix`, e.g. "recipient__") whose current
    email address is verified: nothing but the verification is mailed to any other."""
    keys = f"{prefix}account_key__"
    return Q(**{f"{keys}email_key": F(f"{keys}email_verified_key")})


def email_verified(user: User, *, loaded: bool = False) -> bool:
    """Whether the user's current address is verified, in one query; `loaded`: from the
    keys loaded with the user when they were (a batch of mail prefetches them a moment
    before rendering, `prefetch_related_objects(users, "account_key")`)."""
    key = email_key(user.email)
    if key is None:
        return False
    if loaded and User.account_key.is_cached(user):
        keys = getattr(user, "account_key", None)
        return keys is not None and keys.email_key == key == keys.email_verified_key
    return AccountKey.objects.filter(
        user_id=user.pk, email_key=key, email_verified_key=key
    ).exists()


def mark_email_verified(user: User) -> None:
    """The user's current address is theirs (they followed a link mailed to it)."""
    AccountKey.objects.filter(user_id=user.pk).update(email_verified_key=F("email_key"))


def sync_account_keys(users: Iterable[User], *, verified: bool = False) -> None:
    """Write the keys of users created without signals (bulk_create in the demo seed;
    `verified`: their addresses count as confirmed, as the demo's do)."""
    rows = []
    for user in users:
        keys = keys_for(user)
        rows.append(
            AccountKey(
                user=user, email_verified_key=keys["email_key"] if verified else None, **keys
            )
        )
    AccountKey.objects.bulk_create(rows)


def _remember_identity(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if raw or (fields is not None and not {"username", "email"} & set(fields)):
        instance._identity_changed = False  # type: ignore[attr-defined]
        return
    if instance.pk is None:
        instance._identity_changed = True
        return
    before = sender.objects.filter(pk=instance.pk).values_list("username", "email").first()
    instance._identity_changed = before != (instance.username, instance.email)  # type: ignore[attr-defined]


def _write_keys(sender: Any, instance: User, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not getattr(instance, "_identity_changed", True):
        return
    AccountKey.objects.update_or_create(user=instance, defaults=keys_for(instance))


def connect() -> None:
    model = get_user_model()
    pre_save.connect(_remember_identity, sender=model, dispatch_uid="accounts.identity.pre")
    post_save.connect(_write_keys, sender=model, dispatch_uid="accounts.identity.post")


class UsernameKeyBackend(ModelBackend):
    """Sign in with a username typed in another case (or form) than it was registered.

    Only answers when no account has the exact username typed; ModelBackend, after it
    in AUTHENTICATION_BACKENDS, handles the exact name (and the timing of unknown ones).
    """

    def authenticate(self, request: Any, **kw: Any) -> User | None:  # type: ignore[override]
        model = get_user_model()
        username = kw.get("username", kw.get(model.USERNAME_FIELD))
        password = kw.get("password")
        if not isinstance(username, str) or password is None or not username:
            return None
        if model.objects.filter(username=username).exists():
            return None
        canonical = (
            AccountKey.objects.filter(username_key=username_key(username))
            .values_list("user__username", flat=True)
            .first()
        )
        if canonical is None:
            return None
        return super().authenticate(request, username=canonical, password=password)
