"""What notification mail says, built when it is sent (`mailer.registry` renderers).

- `notifications.instant`: the notifications a gathered mail carries (`Notification.mail`),
  one line each with its text in the recipient's language and an absolute link; those
  read or no longer readable by then are left out, and with none left nothing is sent.
- `notifications.digest`: what is new in the recipient's networks between the payload's
  `since` and `until` (`notifications.digest`); nothing new, nothing sent.

Both are sent only to the address that is the user's verified one at sending time.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from accounts.identity import email_verified
from mailer import compose, links, registry
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
    return user if email_verified(user, loaded=True) else None


def _settings_url() -> str:
    return links.url("web:notification-settings")


def _prefetch_keys(rows: Sequence[Mail]) -> None:
    """The recipients' account keys, read with the batch (`_still_theirs` checks them)."""
    prefetch_related_objects([mail.user for mail in rows if mail.user is not None], "account_key")


def _prefetch_digests(rows: Sequence[Mail]) -> None:
    """Keys, and each recipient's networks for the digest's mode, for a batch of digests."""
    _prefetch_keys(rows)
    by_mode: dict[str, list[Mail]] = {}
    for mail in rows:
        if mail.user is not None:
            by_mode.setdefault(str(mail.payload.get("mode")), []).append(mail)
    for mode, of_mode in by_mode.items():
        networks = digest.networks_for([mail.user.pk for mail in of_mode if mail.user], mode)
        for mail in of_mode:
            if mail.user is not None:
                mail.digest_networks = networks[mail.user.pk]  # type: ignore[attr-defined]


@registry.renderer(gather.KIND, prefetch=_prefetch_keys)
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
    profile = getattr(user, "profile", None)
    shown = queries.serialize(rows[:MAX_LINES], mail.language, getattr(profile, "timezone", ""))
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


@functools.lru_cache(maxsize=256)
def _render_block(block: digest.Block, language: str) -> dict[str, SafeString]:
    """A network's block of a digest, its text and HTML parts, in `language`. Every member
    of a network due in one run shares its block: rendered once, not once per mail."""
    with translation.override(language):
        # A template's output is safe (it escaped what it was given): the mail's template
        # puts it in as it is.
        return {
            part: render_to_string(f"notifications/mail/digest_network.{ext}", {"block": block})
            for part, ext in (("text", "txt"), ("html", "html"))
        }


@registry.renderer(digest.KIND, prefetch=_prefetch_digests)
def render_digest(mail: Mail) -> EmailMultiAlternatives | None:
    user = _still_theirs(mail)
    mode = mail.payload.get("mode")
    since = parse_datetime(str(mail.payload.get("since", "")))
    until = parse_datetime(str(mail.payload.get("until", "")))
    if user is None or mode not in digest.PERIODS or since is None or until is None:
        return None
    networks = getattr(mail, "digest_networks", None)
    blocks = digest.collect(user, mode, since, until, networks)
    if not blocks:
        return None
    with translation.override(mail.language):
        subject = (
            gettext("Your daily digest from Shabaka")
            if mode == "daily"
            else gettext("Your weekly digest from Shabaka")
        )
    rendered = [_render_block(block, mail.language) for block in blocks]
    return compose.message(
        to=mail.to_address,
        subject=subject,
        template="notifications/mail/digest",
        context={"blocks": rendered, "mode": mode, "settings_url": _settings_url()},
        language=mail.language,
        unsubscribe_url=unsubscribe.url(user.pk, digest=mode),
        # The same networks' news in the same language read the same for every
        # recipient: the parts are rendered once, each mail fills in its own link.
        shared=(mode, tuple(blocks)),
    )
