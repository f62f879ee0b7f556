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
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.identity import email_verified
from accounts.models import AuthToken
from core import budgets, personal_data
from core.errors import InvalidInput, NotAllowed, RateLimited

log = logging.getLogger(__name__)

FORMAT = "shabaka-export/1"
ERASED_USERNAME = re.compile(r"\Adeleted-\d+\Z")
CONTENT_CHOICES = ("keep", "erase")
EXPORT_BUDGET = "data_export"


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
    user.username = personal_data.erased_username(user.pk)
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()  # every session's hash changes: they all end
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    AuthToken.objects.filter(user=user).delete()  # each closes its sockets (accounts.signout)


def check_deletion(user: User, password: Any, content: Any) -> bool:
    """The owner confirms with their password and says what becomes of what they wrote;
    returns whether to erase it. Platform staff are deleted by another staff member in
    the admin, not by themselves (the platform must keep someone in charge)."""
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
    personal_data.erase(user, erase_content)
    log.info("account %s deleted (content %s)", user_id, "erased" if erase_content else "kept")
