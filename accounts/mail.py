"""What the account mails say (mailer.registry): the links are made when the mail is
rendered, never stored in the row, and a mail whose address changed since it was queued
says nothing (its link would not work, or would go to an address no longer the account's).
"""

from __future__ import annotations

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


@registry.renderer(recovery.MAIL_RESET)
def password_reset(mail: Mail) -> EmailMultiAlternatives | None:
    if not _current(mail):
        return None
    assert mail.user is not None
    return compose.message(
        to=mail.to_address,
        subject=_("Reset your Shabaka password"),
        template="accounts/mail/password_reset",
        context={"user": mail.user, "url": links.reset_url(mail.user)},
        language=mail.language,
    )


@registry.renderer(recovery.MAIL_VERIFY)
def verify_email(mail: Mail) -> EmailMultiAlternatives | None:
    if not _current(mail) or email_verified(mail.user):  # type: ignore[arg-type]
        return None
    assert mail.user is not None
    return compose.message(
        to=mail.to_address,
        subject=_("Confirm your email address"),
        template="accounts/mail/verify_email",
        context={"user": mail.user, "url": links.verify_url(mail.user)},
        language=mail.language,
    )


@registry.renderer(recovery.MAIL_ADDRESS_TAKEN)
def address_taken(mail: Mail) -> EmailMultiAlternatives | None:
    if not _current(mail):
        return None
    assert mail.user is not None
    return compose.message(
        to=mail.to_address,
        subject=_("Someone tried to register with your address"),
        template="accounts/mail/address_taken",
        context={
            "user": mail.user,
            "url": links.reset_url(mail.user),
            "signin_url": absolute(reverse("web:signin")),
        },
        language=mail.language,
    )
