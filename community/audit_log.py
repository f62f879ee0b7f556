"""The audit log as people read it: each action's label in the reader's language, its
details in words, and a link to what it acted on (a topic, a post's topic, a room).

The entries keep stable codes (`forum.topic.lock`); only this page turns them into
sentences, so a new language or a reworded label changes no stored row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.models import AuditEntry, Membership

LABELS = {
    "network.create": _("Created the network"),
    "network.update": _("Edited the network"),
    "member.approve": _("Approved a join request"),
    "member.reject": _("Declined a join request"),
    "member.ban": _("Banned"),
    "member.unban": _("Lifted a ban"),
    "member.mute": _("Muted"),
    "member.unmute": _("Unmuted"),
    "member.remove": _("Removed from the network"),
    "member.leave": _("Left the network"),
    "member.set_role": _("Changed a role"),
    "member.import": _("Imported members"),
    "member.permissions": _("Changed permissions"),
    "invitation.create": _("Sent an invitation"),
    "invitation.revoke": _("Revoked an invitation"),
    "forum.category.create": _("Created a category"),
    "forum.category.update": _("Edited a category"),
    "forum.topic.rename": _("Renamed a topic"),
    "forum.topic.pin": _("Pinned a topic"),
    "forum.topic.unpin": _("Unpinned a topic"),
    "forum.topic.lock": _("Locked a topic"),
    "forum.topic.unlock": _("Unlocked a topic"),
    "forum.topic.move": _("Moved a topic"),
    "forum.topic.delete": _("Deleted a topic"),
    "forum.topic.restore": _("Restored a topic"),
    "forum.post.edit": _("Edited a post"),
    "forum.post.delete": _("Deleted a post"),
    "forum.post.restore": _("Restored a post"),
    "chat.room.create": _("Created a room"),
    "chat.message.delete": _("Deleted a message"),
    "meeting.create": _("Announced a meeting"),
    "meeting.edit": _("Edited a meeting"),
    "meeting.cancel": _("Cancelled a meeting"),
    "meeting.check_in": _("Checked a member in at a meeting"),
    "call.create": _("Drafted a call"),
    "call.edit": _("Edited a call"),
    "call.publish": _("Published a call"),
    "call.close": _("Closed a call"),
    "call.apply": _("Applied to a call"),
    "call.application.shortlist": _("Shortlisted an application"),
    "call.application.accept": _("Accepted an application"),
    "call.application.decline": _("Declined an application"),
    "call.application.withdraw": _("Withdrew an application"),
    "call.application.outcome": _("Recorded a mission's outcome"),
}


# Targets with a title and a page of their own: kind → (model, the page's URL name).
TITLED = {
    "meeting": ("meetings.Meeting", "web:meeting"),
    "call": ("calls.Call", "web:call"),
}


@dataclass
class Target:
    """What an entry acted on, as a link: its title and page."""

    title: str
    url: str


def label(entry: AuditEntry) -> str:
    text = str(LABELS.get(entry.action, entry.action))
    details = entry.details or {}
    role = details.get("role")
    if entry.action == "member.set_role" and role in Membership.Role.values:
        text = f"{text} → {Membership.Role(role).label}"
    minutes = details.get("minutes")
    if isinstance(minutes, int) and minutes > 0:
        duration = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        text = f"{text} ({duration})"
    return text


def targets(entries: Iterable[AuditEntry]) -> dict[int, Target]:
    """Each entry's target link by entry id, read with one query per kind of target
    on the page (topics; posts with their topics; rooms; messages with their rooms)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    entries = list(entries)
    for entry in entries:
        if entry.target_id is not None:
            wanted[entry.target_type].add(entry.target_id)
    found: dict[tuple[str, int], Target] = {}
    if wanted.get("topic"):
        topic_model = apps.get_model("forums", "Topic")
        for pk, title in topic_model.objects.filter(pk__in=wanted["topic"]).values_list(
            "pk", "title"
        ):
            found["topic", pk] = Target(title, reverse("web:topic", args=[pk]))
    if wanted.get("post"):
        post_model = apps.get_model("forums", "Post")
        for pk, topic_id, title in post_model.objects.filter(pk__in=wanted["post"]).values_list(
            "pk", "topic_id", "topic__title"
        ):
            found["post", pk] = Target(title, f"{reverse('web:topic', args=[topic_id])}#post-{pk}")
    room_of_message: dict[int, int] = {}
    if wanted.get("message"):
        message_model = apps.get_model("chat", "Message")
        room_of_message = dict(
            message_model.objects.filter(pk__in=wanted["message"]).values_list("pk", "room_id")
        )
    room_ids = wanted.get("room", set()) | set(room_of_message.values())
    if room_ids:
        room_model = apps.get_model("chat", "Room")
        for pk, name in room_model.objects.filter(pk__in=room_ids).values_list("pk", "name"):
            found["room", pk] = Target(name, reverse("web:room", args=[pk]))
    for kind, (model_name, page) in TITLED.items():
        if wanted.get(kind):
            model = apps.get_model(model_name)
            for pk, title in model.objects.filter(pk__in=wanted[kind]).values_list("pk", "title"):
                found[kind, pk] = Target(title, reverse(page, args=[pk]))
    for message_id, room_id in room_of_message.items():
        if ("room", room_id) in found:
            found["message", message_id] = found["room", room_id]
    return {
        entry.pk: found[entry.target_type, entry.target_id]
        for entry in entries
        if entry.target_id is not None and (entry.target_type, entry.target_id) in found
    }
