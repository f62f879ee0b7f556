"""Getting back into an account and proving an address: password reset, email
verification, and the mail that tells the owner of an address someone tried to register
with it.

Who may be mailed: the verification goes to the new address (that is its point); the
reset link goes to an address whether or not it is verified, because it is how the
person who reads that address reclaims it — it is a verification that also sets a
password (following it proves the address, so it verifies it). The "someone tried to
register with your address" note goes only to a verified address; an unverified one is
sent its verification link again instead.
Everything else (notifications, digests) is mailed only to verified addresses
(accounts.identity.verified_email).

A reset request answers the same whether or not the address has an account, and takes
the same time: the request only spends the budgets and enqueues a job; the job looks the
address up and queues the mail. The budgets (core/budgets.py) `mail_client` (per client
address) and `mail_address` (per address) stop anyone from mail-bombing an address: a
request past them is still answered 202, and nothing is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import links
from accounts.identity import email_taken, email_verified, mark_email_verified
from accounts.models import AccountKey
from core import budgets, jobs
from core.errors import InvalidInput, RateLimited
from core.names import email_key
from mailer import outbox

MAIL_RESET = "accounts.password_reset"
MAIL_VERIFY = "accounts.verify_email"
MAIL_ADDRESS_TAKEN = "accounts.address_taken"

BUDGET_CLIENT = "mail_client"
BUDGET_ADDRESS = "mail_address"

INVALID_LINK = (
    "invalid_link",
    "This link no longer works: it was used, has expired or was changed.",
    {"token": ["This link no longer works."]},
)


def language_of(user: User) -> str:
    profile = getattr(user, "profile", None)
    code = getattr(profile, "ui_language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def may_mail(client: str, address_key: str) -> bool:
    """Spend one mail of the client's and of the address's budget (False: either is spent)."""
    if not budgets.spend(BUDGET_CLIENT, client):
        return False
    if not budgets.spend(BUDGET_ADDRESS, address_key):
        budgets.give_back(BUDGET_CLIENT, client)
        return False
    return True


def _account_with(address_key: str) -> User | None:
    user_id = (
        AccountKey.objects.filter(email_key=address_key).values_list("user_id", flat=True).first()
    )
    if user_id is None:
        return None
    return (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .select_related("profile")
        .first()
    )


# --- password reset -------------------------------------------------------------------------


def request_password_reset(email: str, client: str) -> None:
    """Whatever the address: within the budgets, a job that mails its account, if any, a
    reset link. Says nothing, raises nothing."""
    from accounts import tasks

    key = email_key(email)
    if key is None or not may_mail(client, key):
        return
    jobs.enqueue(tasks.mail_password_reset, key)


@transaction.atomic
def do_queue_password_reset(address_key: str) -> bool:
    """The job of a reset request: queue the mail to the active account of the address."""
    user = _account_with(address_key)
    if user is None:
        return False
    outbox.queue(MAIL_RESET, to=user.email, user=user, language=language_of(user))
    return True


def check_password(user: User, password: str, field: str) -> None:
    """Django's password validators; InvalidInput naming `field` when one refuses."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "invalid", "The password is too weak.", {field: list(exc.messages)}
        ) from None


@transaction.atomic
def do_reset_password(uid: str, token: str, new_password: str) -> User:
    """Set a new password through a mailed link (one use, 24 h). Every session, API
    token and socket of the account ends (accounts.signout); the address the link was
    mailed to is thereby verified."""
    user = links.checked(links.reset_tokens, uid, token)
    if user is None:
        raise InvalidInput(*INVALID_LINK)
    check_password(user, new_password, "new_password")
    user.set_password(new_password)
    user.save()
    mark_email_verified(user)
    return user


# --- email verification ---------------------------------------------------------------------


def do_send_verification(user: User) -> bool:
    """Queue the verification link to the user's current address, unless it is verified."""
    if not user.email or email_verified(user):
        return False
    outbox.queue(MAIL_VERIFY, to=user.email, user=user, language=language_of(user))
    return True


def request_verification(user: User, client: str) -> bool:
    """ "Send the link again" on the account page, within the mail budgets (429 past them)."""
    key = email_key(user.email)
    if key is None or email_verified(user):
        return False
    spent = budgets.spend(BUDGET_ADDRESS, key)
    if not spent:
        raise RateLimited(
            "A link was sent a moment ago; wait before asking again.", spent.retry_after_seconds
        )
    with transaction.atomic():
        return do_send_verification(user)


@transaction.atomic
def do_verify_email(uid: str, token: str) -> User:
    """Mark the address a link was mailed to as the account's (one use; dead once the
    address changes)."""
    user = links.checked(links.verify_tokens, uid, token)
    if user is None:
        raise InvalidInput(*INVALID_LINK)
    mark_email_verified(user)
    return user


@transaction.atomic
def do_change_email(user: User, email: str, password: str) -> bool:
    """Change the account's address (the current password confirms it is its owner): the
    new address is unverified until the link mailed to it is followed.

    An address another account holds answers the same and changes nothing (False), so the
    form tells no one which addresses have accounts."""
    if not user.check_password(password):
        raise InvalidInput("invalid", "Wrong password.", {"password": ["Wrong password."]})
    if email_key(email) is None:
        raise InvalidInput("invalid", "Enter an email address.", {"email": ["Required."]})
    if email_key(email) == email_key(user.email):
        if email != user.email:
            user.email = email
            user.save(update_fields=["email"])
        return True
    if email_taken(email, exclude=user.pk):
        return False
    user.email = email
    user.save(update_fields=["email"])
    do_send_verification(user)
    return True


@transaction.atomic
def do_change_password(user: User, current: str, new: str) -> None:
    """A new password, the current one confirming the owner. Every API token and socket
    of the account ends (accounts.signout) and every session but the one that made the
    change (the caller keeps it: `update_session_auth_hash`)."""
    if not user.check_password(current):
        raise InvalidInput("invalid", "Wrong password.", {"current_password": ["Wrong password."]})
    check_password(user, new, "new_password")
    user.set_password(new)
    user.save()


# --- a taken address at registration ---------------------------------------------------------


def tell_owner_of_address(email: str, client: str) -> None:
    """Someone registered with an address that has an account: mail its owner (within the
    budgets) a note with a reset link, instead of telling the person registering."""
    key = email_key(email)
    if key is None or not may_mail(client, key):
        return
    owner = _account_with(key)
    if owner is None:
        return
    if email_verified(owner):
        outbox.queue(MAIL_ADDRESS_TAKEN, to=owner.email, user=owner, language=language_of(owner))
    else:
        # An unverified address is sent nothing but its verification: the link again.
        do_send_verification(owner)
