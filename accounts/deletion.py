"""Your data: everything the platform holds about you as one JSON archive, and the deletion
of your account (core.personal_data gathers both from every app).

Deleting keeps the user row, emptied: username `deleted-<id>`, no email, no name, no
password, inactive, no staff rights, so what the person chose to leave (posts, messages)
keeps an author that every page shows as "Deleted member" and no link leads to. The
sign-in, every session (the password's hash changes), every API token and every socket
end with it. What the apps hold is erased in the same transaction: nothing of it is
left half done if one part refuses (a network's last owner must hand it over first).
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponseBase
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

from accounts.identity import email_verified, username_taken
from accounts.models import AccountKey, AuthToken
from core import budgets, personal_data
from core.errors import InvalidInput, NotAllowed, RateLimited

log = logging.getLogger(__name__)

FORMAT = "shabaka-export/1"
ERASED_USERNAME = re.compile(r"\Adeleted-\d+(-[0-9a-f]+)?\Z", re.IGNORECASE)
CONTENT_CHOICES = ("keep", "erase")
EXPORT_BUDGET = "data_export"
DELETE_BUDGET = "account_delete"


def export(user: User) -> dict[str, Any]:
    """The whole archive: what each app holds about the user, by section (a few a day:
    each reads the person's whole history)."""
    spent = budgets.spend(EXPORT_BUDGET, user.pk)
    if not spent:
        wait = spent.retry_after_seconds
        raise RateLimited(f"Too many archives; retry in {wait} s.", retry_after=wait)
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        **personal_data.archive(user),
    }


def as_download(response: HttpResponseBase, user: User) -> HttpResponseBase:
    """The archive's answer as a file to keep, named after its owner and the day (RFC 6266,
    so a name in Arabic survives), never cached."""
    stamp = timezone.now().strftime("%Y-%m-%d")
    name = f"shabaka-{user.get_username()}-{stamp}.json"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


@personal_data.section("account")
def export_account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "email_verified": email_verified(user),
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "is_staff": user.is_staff,
        "devices": [
            {
                "name": t.name,
                "created": t.created.isoformat(),
                "last_used": t.last_used.isoformat(),
                "expiry": t.expiry.isoformat() if t.expiry else None,
            }
            for t in AuthToken.objects.filter(user=user).order_by("id")
        ],
    }


@personal_data.eraser("account", order=10)
def erase_account(user: User, erase_content: bool) -> None:
    """First of all: the row anonymised, so every later step writes "Deleted member"."""
    user.username = _free_erased_name(user)
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()  # every session's hash changes: they all end
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    AccountKey.objects.filter(user=user).update(email_verified_key=None)
    user.groups.clear()
    user.user_permissions.clear()
    AuthToken.objects.filter(user=user).delete()  # each closes its sockets (accounts.signout)


def _free_erased_name(user: User) -> str:
    """`deleted-<id>`, unless a look-alike of it was registered before the rule that
    refuses such names: then with a random suffix (the name must be free, by its key)."""
    name = personal_data.erased_username(user.pk)
    while username_taken(name, exclude=user.pk):
        name = f"{personal_data.erased_username(user.pk)}-{secrets.token_hex(3)}"
    return name


def check_deletion(user: User, password: Any, content: Any) -> bool:
    """The owner confirms with their password and says what becomes of what they wrote;
    returns whether to erase it. A superuser is deleted by another superuser, in the
    admin, not by themselves (the platform must keep someone in charge). A few tries an
    hour: the password check must not become a way to guess it."""
    spent = budgets.spend(DELETE_BUDGET, user.pk)
    if not spent:
        wait = spent.retry_after_seconds
        raise RateLimited(f"Too many tries; retry in {wait} s.", retry_after=wait)
    errors: dict[str, list[str]] = {}
    if not isinstance(password, str) or not user.check_password(password):
        errors["password"] = ["Wrong password."]
    if content not in CONTENT_CHOICES:
        errors["content"] = ['"keep" (posts and messages stay as "Deleted member") or "erase".']
    if errors:
        raise InvalidInput("invalid", "Confirm with your password and a choice.", errors)
    if user.is_superuser:
        raise NotAllowed(
            "superuser", "A superuser account is deleted by another superuser, in the admin."
        )
    return content == "erase"


@transaction.atomic
def do_delete_account(user: User, password: Any, content: Any) -> None:
    """Delete the account (see the module's docstring); refused as a whole or done as one."""
    erase_content = check_deletion(user, password, content)
    user_id = user.pk
    # What the erasers write into stored frames ("Deleted member") is data, not the page:
    # in the site's language, whoever deletes; pages translate it as they show it.
    with translation.override(settings.LANGUAGE_CODE):
        personal_data.erase(user, erase_content)
    log.info("account %s deleted (content %s)", user_id, "erased" if erase_content else "kept")
