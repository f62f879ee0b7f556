"""Who may read and write which room: chat's thin layer over `permissions.checks`.

Channel rooms inherit their network's rules (read: may read the network; write:
may participate — active and not muted — and, in `posting: moderators` rooms, hold
`manage_rooms`, which also takes down others' messages). Direct rooms are readable
by their two users only, and writable while both still share a network where they
are active members and the writer is not muted: a ban from the only shared network
ends the conversation.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chat.models import Room
from community.models import Membership
from core.errors import NotAllowed, NotFound
from core.validation import is_int
from permissions import checks
from permissions.roles import Perm

AnyUser = AbstractBaseUser | AnonymousUser
Status = Membership.Status


def may_read_room(user: AnyUser, room: Room) -> bool:
    """Readable by the user: their own direct room, or a room of a network they may read."""
    if not user.is_authenticated:
        return False
    if room.is_direct:
        return room.has_participant(cast(int, user.pk))
    assert room.network_id is not None
    return room.network_id in checks.readable_network_ids(user)


def access_room(user: AnyUser, room_id: object) -> Room:
    """The room if the user may read it, else NotFound (a hidden room looks missing)."""
    if not is_int(room_id):
        raise NotFound()
    room = Room.objects.select_related("network").filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    if not may_read_room(user, room):
        if room.network is not None and user.is_authenticated:
            # The network's own answer: 403 for a banned member of a public network.
            checks.check_can_read(user, room.network)
        raise NotFound()
    return room


def shared_memberships(user_id: int, other_id: int) -> QuerySet[Membership]:
    """The user's active memberships in (unarchived) networks where `other_id` is active too."""
    other = Membership.objects.filter(
        network_id=OuterRef("network_id"), user_id=other_id, status=Status.ACTIVE
    )
    return Membership.objects.filter(
        user_id=user_id, status=Status.ACTIVE, network__archived=False
    ).filter(Exists(other))


def check_can_post(user: AnyUser, room: Room) -> None:
    """May the user send to (or edit their messages in) the room? Raises NotAllowed/NotFound."""
    if not may_read_room(user, room):
        raise NotFound()
    if room.archived:
        raise NotAllowed("room_archived", "This room is archived; it accepts no new messages.")
    if room.is_direct:
        other = room.user_high_id if room.user_low_id == user.pk else room.user_low_id
        assert other is not None
        shared = shared_memberships(cast(int, user.pk), other)
        unmuted = shared.filter(Q(muted_until__isnull=True) | Q(muted_until__lte=timezone.now()))
        if not unmuted.exists():
            if shared.exists():
                raise NotAllowed("muted", "You are muted in every network you share.")
            raise NotAllowed("no_shared_network", "You no longer share a network with this member.")
        return
    assert room.network is not None
    checks.check_can_participate(user, room.network)
    if room.posting == Room.Posting.MODERATORS and not checks.may_manage_rooms(user, room.network):
        raise NotAllowed(
            "moderators_only", "Only moderators of this network may post in this room."
        )


def may_moderate_room(user: AnyUser, room: Room) -> bool:
    """Holders of manage_rooms in a channel room's network delete others' messages; nobody
    in DMs."""
    if room.is_direct or room.network is None:
        return False
    return checks.may_manage_rooms(user, room.network)


def check_can_delete_message(user: AnyUser, room: Room, author_id: int) -> None:
    """Authors take down their own messages; a channel room's moderators those of members
    below them (never an owner's or another moderator's; an owner never another owner's)."""
    if author_id == user.pk:
        return
    if not may_moderate_room(user, room):
        raise NotAllowed("not_author", "Only the author or a moderator may delete a message.")
    assert room.network is not None
    checks.check_can_moderate_words_of(user, room.network, author_id, Perm.MANAGE_ROOMS)
