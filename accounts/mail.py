"""What the account mails say (mailer.registry): the links are made when the mail is
rendered, never stored in the row, and a mail whose address changed since it was queued
says nothing (its link would not work, or would go to an address no longer the account's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import links, recovery
from accounts.identity import email_verified
from core.names import email_key
from mailer import compose, registry
from mailer.links import absolute
from mailer.models import Mail


def _current(mail: Mail) -> bool:
    user = mail.user
    return (
        user is not None
        and user.is_active
        and email_key(user.email) is not None
        and email_key(user.email) == email_key(mail.to_address)
    )


def _to_account(
    mail: Mail, subject: Any, template: str, links_for: Callable[[User], dict[str, str]]
) -> EmailMultiAlternatives | None:
    """The mail, if its address is still the account's; its links made only then."""
    if not _current(mail):
        return None
    assert mail.user is not None
    return compose.message(
        to=mail.to_address,
        subject=subject,
        template=f"accounts/mail/{template}",
        context={"user": mail.user, **links_for(mail.user)},
        language=mail.language,
    )


@registry.renderer(recovery.MAIL_RESET)
def password_reset(mail: Mail) -> EmailMultiAlternatives | None:
    return _to_account(
        mail,
        _("Reset your Shabaka password"),
        "password_reset",
        lambda user: {"url": links.reset_url(user)},
    )


@registry.renderer(recovery.MAIL_VERIFY)
def verify_email(mail: Mail) -> EmailMultiAlternatives | None:
    if mail.user is not None and email_verified(mail.user):
        return None  # verified since: nothing to confirm
    return _to_account(
        mail,
        _("Confirm your email address"),
        "verify_email",
        lambda user: {"url": links.verify_url(user)},
    )


@registry.renderer(recovery.MAIL_ADDRESS_TAKEN)
def address_taken(mail: Mail) -> EmailMultiAlternatives | None:
    return _to_account(
        mail,
        _("Someone tried to register with your address"),
        "address_taken",
        lambda user: {
            "url": links.reset_url(user),
            "signin_url": absolute(reverse("web:signin")),
        },
    )
