"""What notification mail says, built when it is sent (`mailer.registry` renderers).

- `notifications.instant`: the notifications a gathered mail carries (`Notification.mail`),
  one line each with its text in the recipient's language and an absolute link; those
  read or no longer readable by then are left out, and with none left nothing is sent.
- `notifications.digest`: what is new in the recipient's networks between the payload's
  `since` and `until` (`notifications.digest`); nothing new, nothing sent.

Both are sent only to the address that is the user's verified one at sending time.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from accounts.identity import email_verified
from mailer import compose, registry
from mailer.links import absolute
from mailer.models import Mail
from notifications import digest, gather, queries, unsubscribe
from notifications.models import Notification
from permissions import checks

# Lines in one instant mail; the rest are a link away (the notification list).
MAX_LINES = 50
NOTIFICATIONS_PATH = "/notifications/"


def _still_theirs(mail: Mail) -> User | None:
    """The recipient, if the row's address is still their verified one."""
    user = mail.user
    if user is None or not user.is_active or user.email != mail.to_address:
        return None
    return user if email_verified(user) else None


def _settings_url() -> str:
    return absolute(reverse("web:notification-settings"))


@registry.renderer(gather.KIND)
def render_instant(mail: Mail) -> EmailMultiAlternatives | None:
    user = _still_theirs(mail)
    if user is None:
        return None
    readable = checks.readable_network_ids(user)
    rows = [
        row
        for row in queries.for_listing(
            Notification.objects.filter(mail_id=mail.pk, read_at__isnull=True)
        ).order_by("id")
        if row.network_id is None or row.network_id in readable
    ]
    if not rows:
        return None
    shown = queries.serialize(rows[:MAX_LINES], mail.language)
    lines = [
        {"text": item["text"], "url": absolute(item["target"]["url"] or NOTIFICATIONS_PATH)}
        for item in shown
    ]
    with translation.override(mail.language):
        subject = ngettext(
            "%(count)d new notification on Shabaka",
            "%(count)d new notifications on Shabaka",
            len(rows),
        ) % {"count": len(rows)}
    return compose.message(
        to=mail.to_address,
        subject=subject,
        template="notifications/mail/instant",
        context={
            "lines": lines,
            "more": len(rows) - len(lines),
            "all_url": absolute(NOTIFICATIONS_PATH),
            "settings_url": _settings_url(),
        },
        language=mail.language,
        unsubscribe_url=unsubscribe.url(user.pk, kinds={row.kind for row in rows}),
    )


@registry.renderer(digest.KIND)
def render_digest(mail: Mail) -> EmailMultiAlternatives | None:
    user = _still_theirs(mail)
    mode = mail.payload.get("mode")
    since = parse_datetime(str(mail.payload.get("since", "")))
    until = parse_datetime(str(mail.payload.get("until", "")))
    if user is None or mode not in digest.PERIODS or since is None or until is None:
        return None
    blocks = digest.collect(user, mode, since, until)
    if not blocks:
        return None
    with translation.override(mail.language):
        subject = (
            gettext("Your daily digest from Shabaka")
            if mode == "daily"
            else gettext("Your weekly digest from Shabaka")
        )
    return compose.message(
        to=mail.to_address,
        subject=subject,
        template="notifications/mail/digest",
        context={"blocks": blocks, "mode": mode, "settings_url": _settings_url()},
        language=mail.language,
        unsubscribe_url=unsubscribe.url(user.pk, digest=mode),
    )
