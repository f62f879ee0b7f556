"""Web pages for chat: a network's rooms, a room, direct messages.

The page is the frame; the conversation itself is live: `static/js/chat.js` loads
history from the REST API and talks to the `/ws/` websocket (subscribe with the
room's seq, messages, typing, presence, edits, reactions, replay on reconnect).
Reads use `chat.access` / `chat.queries` as the API does; writes call `chat.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.actions import display_name
from chat import access, queries
from chat.actions import rooms as room_actions
from chat.actions.messages import MAX_MESSAGE_CHARS
from chat.models import Message, Room
from community.models import Network
from community.web import content_network, network_context
from core import presence
from core.api import me
from core.errors import ActionError
from core.web import apply_action_error, fail, not_found_on, signed_in
from permissions import checks


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, widget=forms.TextInput({"dir": "auto"}))
    topic = forms.CharField(
        label=_("Topic"), max_length=250, required=False, widget=forms.TextInput({"dir": "auto"})
    )
    posting = forms.ChoiceField(label=_("Who may write"), choices=Room.Posting.choices)


@dataclass(frozen=True)
class RoomEntry:
    """A room in the side list: its unread count and, for a direct room, the other person."""

    pk: int
    name: str
    topic: str
    unread: int
    other: Any = None


def _sidebar(request: HttpRequest, network: Network | None) -> dict[str, Any]:
    """The room list with unread badges: the network's rooms, then direct conversations."""
    user = me(request)
    rooms = list(queries.list_rooms(network, user).order_by("id")) if network else []
    direct = list(queries.list_direct_rooms(user).order_by("-id")[:30])
    return {
        "rooms": [RoomEntry(r.pk, r.name, r.topic, r.unread) for r in rooms],
        "direct_rooms": [
            RoomEntry(
                r.pk,
                r.name,
                r.topic,
                r.unread,
                r.user_high if r.user_low_id == user.pk else r.user_low,
            )
            for r in direct
        ],
        "may_manage_rooms": network is not None and checks.may_manage_rooms(user, network),
    }


@signed_in
def network_rooms(request: HttpRequest, slug: str) -> HttpResponse:
    """A network's chat: open its first room, or (no room yet) offer moderators to create one."""
    network = content_network(request, slug)
    form = RoomForm(request.POST if request.method == "POST" else None)
    may_create = checks.may_manage_rooms(request.user, network)
    if request.method == "POST":
        if not may_create:
            raise Http404
        if form.is_valid():
            try:
                room = room_actions.do_create_room(me(request), network, **form.cleaned_data)
            except ActionError as exc:
                not_found_on(exc)
                apply_action_error(form, exc)
            else:
                messages.success(request, _("Room created."))
                return redirect("web:room", room_id=room.pk)
    elif not request.GET.get("new"):
        first = queries.list_rooms(network, request.user).order_by("id").first()
        if first is not None:
            return redirect("web:room", room_id=first.pk)
    context = network_context(request, network, "chat")
    context.update(_sidebar(request, network))
    context.update({"form": form, "may_create": may_create})
    return render(request, "chat/rooms.html", context)


@signed_in
def room(request: HttpRequest, room_id: int) -> HttpResponse:
    """One room: the live conversation (history, typing, presence) and the composer."""
    try:
        current = access.access_room(request.user, room_id)
    except ActionError as exc:
        not_found_on(exc)
        raise
    network = current.network
    context: dict[str, Any] = (
        network_context(request, network, "chat") if network is not None else {"tab": "chat"}
    )
    context.update(_sidebar(request, network))
    may_post = True
    why_not = ""
    try:
        access.check_can_post(request.user, current)
    except ActionError as exc:
        may_post, why_not = False, exc.code
    other = None
    if current.is_direct:
        other = current.user_high if current.user_low_id == request.user.pk else current.user_low
    # Presence dots start right for the people in view; live `presence` frames update them.
    authors = set(
        Message.objects.filter(room=current)
        .order_by("-id")
        .values_list("author_id", flat=True)[:50]
    )
    if other is not None:
        authors.add(other.pk)
    context.update(
        {
            "room": current,
            "other": other,
            "may_post": may_post,
            "why_not": why_not,
            "may_moderate_room": access.may_moderate_room(request.user, current),
            "me_name": display_name(me(request)),
            "online": {str(uid): True for uid in authors if uid and presence.is_online(uid)},
            "strings": _strings(),
            # The composer counts characters as the server does, and sends what would
            # not fit in one socket frame over REST instead (chat.js).
            "max_body_chars": MAX_MESSAGE_CHARS,
            "max_frame_bytes": settings.SHABAKA["MAX_FRAME_BYTES"],
        }
    )
    return render(request, "chat/room.html", context)


def _strings() -> dict[str, str]:
    """What chat.js shows, in the page's language."""
    return {
        "connecting": str(_("connecting…")),
        "connected": str(_("live")),
        "reconnecting": str(_("reconnecting…")),
        "closed": str(_("disconnected")),
        "edited": str(_("(edited)")),
        "deleted": str(_("This message was deleted.")),
        "edit": str(_("Edit")),
        "delete": str(_("Delete")),
        "react": str(_("React")),
        "save": str(_("Save")),
        "cancel": str(_("Cancel")),
        "confirmDelete": str(_("Delete this message?")),
        "typing": str(_("%s is typing…")),
        "revoked": str(_("You no longer have access to this room.")),
        "muted": str(_("You are muted for now: you can read but not write.")),
        "loadFailed": str(_("The history could not be loaded.")),
        # %(count)s and %(limit)s are numbers, written by the page in its language.
        "tooLong": str(
            _("%(count)s characters: a message holds at most %(limit)s. Shorten it to send it.")
        ),
        "nearLimit": str(_("%(count)s of %(limit)s characters")),
        "sendFailed": str(_("This message was not sent.")),
    }


@signed_in
def direct_list(request: HttpRequest) -> HttpResponse:
    """Your direct conversations, the latest first, each with its last words and time."""
    user = me(request)
    rooms = queries.with_last_message(queries.list_direct_rooms(user)).order_by(
        F("last_at").desc(nulls_last=True), "-id"
    )
    context: dict[str, Any] = {"tab": "direct"}
    context.update(_sidebar(request, None))
    context["conversations"] = [
        {
            "room": room,
            "other": room.user_high if room.user_low_id == user.pk else room.user_low,
            "last_body": room.last_body,  # type: ignore[attr-defined]
            "last_at": room.last_at,  # type: ignore[attr-defined]
            "mine": room.last_author_id == user.pk,  # type: ignore[attr-defined]
        }
        for room in rooms[:50]
    ]
    return render(request, "chat/direct.html", context)


@require_POST
@signed_in
def open_direct(request: HttpRequest, user_id: int) -> HttpResponse:
    """Start (or reopen) the conversation with a member of a network you share."""
    try:
        result = room_actions.do_open_direct_room(me(request), user_id)
    except ActionError as exc:
        return fail(request, exc, "/messages/")
    return redirect("web:room", room_id=result.room.pk)
