"""The text of a notification, rendered when read in the recipient's language from its
kind and data (never frozen at write time in the author's language)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from community.models import Membership
from core.zones import zone_of
from notifications.models import Notification

Kind = Notification.Kind


def language_of(ui_language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return ui_language if ui_language in codes else settings.LANGUAGE_CODE


def _when(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return ""
    return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))


def _role(value: Any) -> str:
    if value in Membership.Role.values:
        return str(Membership.Role(value).label)
    return str(value)


def _conversation_text(kind: str, data: dict[str, Any], names: dict[str, str]) -> str | None:
    """The forum and chat kinds: where the actor named, answered or wrote to you."""
    names = names | {"topic": str(data.get("title", "")), "room": str(data.get("room_name", ""))}
    if kind == Kind.MENTION:
        if "room" in data:
            return _("%(actor)s mentioned you in #%(room)s.") % names
        return _("%(actor)s mentioned you in “%(topic)s”.") % names
    if kind == Kind.REPLY:
        if data.get("to") == "post":
            return _("%(actor)s replied to your post in “%(topic)s”.") % names
        return _("%(actor)s replied in “%(topic)s”, a topic you watch.") % names
    if kind == Kind.DIRECT_MESSAGE:
        return _("%(actor)s sent you a message.") % names
    return None


def _meeting_text(kind: str, data: dict[str, Any], names: dict[str, str]) -> str | None:
    """The meeting kinds: a new one, a change, the reminder, a seat that freed up."""
    names = names | {"title": str(data.get("title", "")), "when": _when(data.get("starts_at"))}
    if kind == Kind.MEETING_NEW:
        return _("%(actor)s scheduled “%(title)s” in %(network)s, %(when)s.") % names
    if kind == Kind.MEETING_UPDATE:
        if "cancelled" in (data.get("changed") or []):
            return _("“%(title)s” in %(network)s is cancelled.") % names
        return _("“%(title)s” in %(network)s changed: now %(when)s; see the details.") % names
    if kind == Kind.MEETING_REMINDER:
        return _("Reminder: “%(title)s” begins %(when)s.") % names
    if kind == Kind.WAITLIST_PROMOTED:
        return _("A seat freed up: you are going to “%(title)s”, %(when)s.") % names
    return None


def _call_text(kind: str, data: dict[str, Any], names: dict[str, str]) -> str | None:
    """The call kinds: one that fits you, an application to yours, a decision on yours."""
    names = names | {"title": str(data.get("title", ""))}
    if kind == Kind.CALL_MATCH:
        return _("A call in %(network)s fits your profile: “%(title)s”.") % names
    if kind == Kind.APPLICATION:
        return _("%(actor)s applied to your call “%(title)s”.") % names
    if kind == Kind.APPLICATION_DECISION:
        decision = data.get("decision")
        if decision == "accept":
            return _("Your application to “%(title)s” was accepted.") % names
        if decision == "shortlist":
            return _("Your application to “%(title)s” is on the shortlist.") % names
        return _("Your application to “%(title)s” was not retained.") % names
    return None


def _text(kind: str, data: dict[str, Any], names: dict[str, str]) -> str:
    call = _call_text(kind, data, names)
    if call is not None:
        return call
    conversation = _conversation_text(kind, data, names)
    if conversation is not None:
        return conversation
    meeting = _meeting_text(kind, data, names)
    if meeting is not None:
        return meeting
    if kind == Kind.JOIN_REQUEST:
        return _("%(actor)s asks to join %(network)s.") % names
    if kind == Kind.JOIN_DECISION:
        if data.get("decision") == "approved":
            return _("Your request to join %(network)s was approved.") % names
        return _("Your request to join %(network)s was declined.") % names
    if kind == Kind.ROLE_CHANGE:
        return _("You are now %(role)s in %(network)s.") % (
            names | {"role": _role(data.get("role"))}
        )
    if kind == Kind.MODERATION:
        if data.get("action") == "muted":
            until = _when(data.get("until"))
            return _("You were muted in %(network)s until %(until)s.") % (names | {"until": until})
        return _("You were banned from %(network)s.") % names
    return _("There is something new in %(network)s.") % names


def render(notification: Notification, actor_name: str, language: str, zone: str = "") -> str:
    """The notification's sentence in `language` (ar, fr or en), its times in the reader's
    time zone `zone` (IANA; UTC without one)."""
    network = notification.network
    names = {"actor": actor_name, "network": network.name if network is not None else ""}
    with translation.override(language), timezone.override(zone_of(zone)):
        return _text(notification.kind, notification.data or {}, names)
