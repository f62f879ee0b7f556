"""Every write to meetings and RSVPs, each in one transaction with its audit entry and the
notifications it causes.

Seats are counted under the meeting's row lock (`_lock`): an RSVP, a change of mind, a
capacity change and a member's departure all take it, so 20 people answering at once
for 5 seats leave exactly 5 going and 15 waitlisted in the order they were served, and a
freed seat goes to exactly one person, the first on the waitlist (`_fill_seats`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from community.actions.common import audit, holds_active_membership
from community.forums.mentions import render_post_body
from community.models import Membership, Network
from core.errors import NotAllowed, NotFound, StateConflict
from core.validation import is_int
from meetings import validation
from meetings.models import Meeting, Rsvp
from meetings.search import MEETINGS
from notifications.actions import do_notify
from notifications.models import Notification
from permissions import checks
from permissions.roles import Perm
from search import outbox

Kind = Notification.Kind
Going = Rsvp.Status.GOING
Waitlisted = Rsvp.Status.WAITLISTED
# A change to one of these is news for the people going (and a new calendar SEQUENCE).
NEWSWORTHY = frozenset(
    {"starts_at", "ends_at", "timezone", "venue", "city", "country", "online_url", "format"}
)
ANSWERS = (Going, Rsvp.Status.MAYBE, Rsvp.Status.NOT_GOING)


def may_organize(user: Any, network: Network) -> bool:
    return checks.may(user, network, Perm.MANAGE_MEETINGS)


def check_can_organize(user: Any, network: Network) -> None:
    if not may_organize(user, network):
        raise NotAllowed(
            "not_organizer", "Only the network's moderators and meeting organisers may do this."
        )


def _lock(meeting: Meeting) -> Meeting:
    """The meeting re-read under its row lock, keeping the caller's network."""
    locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if locked is None:
        raise NotFound()
    locked.network = meeting.network
    return locked


def _notify(meeting: Meeting, recipients: Any, kind: str, actor: User | None, **data: Any) -> None:
    do_notify(
        recipients,
        kind,
        network=meeting.network,
        actor=actor,
        target=("meeting", meeting.pk),
        data={"title": meeting.title, "starts_at": meeting.starts_at.isoformat(), **data},
    )


def _going_ids(meeting: Meeting, *statuses: str) -> list[int]:
    return list(
        Rsvp.objects.filter(meeting=meeting, status__in=statuses or (Going,)).values_list(
            "user_id", flat=True
        )
    )


def _render(network: Network, description: str) -> str:
    return render_post_body(network, description).html if description else ""


@transaction.atomic
def do_create_meeting(actor: User, network: Network, data: Any) -> Meeting:
    check_can_organize(actor, network)
    fields = validation.clean(data, None)
    meeting = Meeting(network=network, organizer=actor, **fields)
    meeting.description_html = _render(network, meeting.description)
    meeting.save()
    audit(network, actor, "meeting.create", target=meeting, title=meeting.title)
    if not meeting.has_started():  # a meeting recorded after the fact is no news
        active = Membership.objects.filter(network=network, status=Membership.Status.ACTIVE)
        _notify(meeting, active.values("user_id"), Kind.MEETING_NEW, actor)
    outbox.enqueue(MEETINGS, [meeting.pk])
    return meeting


@transaction.atomic
def do_edit_meeting(actor: User, meeting: Meeting, data: Any) -> Meeting:
    check_can_organize(actor, meeting.network)
    meeting = _lock(meeting)
    if meeting.is_cancelled:
        raise StateConflict("cancelled", "This meeting is cancelled; it cannot change.")
    changes = validation.clean(data, meeting)
    changed = {f for f, value in changes.items() if getattr(meeting, f) != value}
    if not changed:
        return meeting
    for field in changed:
        setattr(meeting, field, changes[field])
    if "description" in changed:
        meeting.description_html = _render(meeting.network, meeting.description)
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    if {"starts_at"} & changed:
        meeting.reminded_at = None  # a new time gets its own reminder
    meeting.save()
    # More seats seat the waitlist, while the meeting is still to come.
    grows = "capacity" in changed and not meeting.has_started()
    promoted = _fill_seats(meeting) if grows else []
    audit(meeting.network, actor, "meeting.edit", target=meeting, fields=sorted(changed))
    if changed & NEWSWORTHY:
        going = [uid for uid in _going_ids(meeting) if uid not in promoted]
        _notify(meeting, going, Kind.MEETING_UPDATE, actor, changed=sorted(changed & NEWSWORTHY))
    outbox.enqueue(MEETINGS, [meeting.pk])
    return meeting


@transaction.atomic
def do_cancel_meeting(actor: User, meeting: Meeting, reason: str = "") -> Meeting:
    check_can_organize(actor, meeting.network)
    meeting = _lock(meeting)
    if meeting.is_cancelled:
        raise StateConflict("cancelled", "This meeting is already cancelled.")
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    audit(meeting.network, actor, "meeting.cancel", target=meeting, reason=reason[:2000])
    told = _going_ids(meeting, Going, Waitlisted, Rsvp.Status.MAYBE)
    _notify(meeting, told, Kind.MEETING_UPDATE, actor, changed=["cancelled"])
    outbox.enqueue(MEETINGS, [meeting.pk])
    return meeting


def _check_open(user: User, meeting: Meeting, *, locked: bool = False) -> None:
    """Open to this member's answer. `locked`: their membership row is read under a lock
    (taken before the meeting's, in the order the membership actions take them), so a
    departure committing meanwhile either waits for this answer or is seen by it."""
    if locked and not user.is_staff:
        if not holds_active_membership(user, meeting.network):
            raise NotAllowed("not_member", "Only members of the network may answer.")
    elif not checks.may(user, meeting.network, Perm.PARTICIPATE):
        raise NotAllowed("not_member", "Only members of the network may answer.")
    if meeting.is_cancelled:
        raise NotAllowed("meeting_cancelled", "This meeting is cancelled.")
    if meeting.has_started():
        raise NotAllowed("meeting_past", "This meeting has already begun; answers are closed.")


@transaction.atomic
def do_rsvp(user: User, meeting: Meeting, answer: Any) -> Rsvp:
    """Going (a seat, or the end of the waitlist), maybe or not going; a seat given up
    goes to the first on the waitlist."""
    if answer not in ANSWERS:
        raise validation.v.invalid("status", "going, maybe or not_going.")
    _check_open(user, meeting)
    _check_open(user, meeting, locked=True)
    meeting = _lock(meeting)
    _check_open(user, meeting)  # cancelled or begun while we waited for the lock
    rsvp = Rsvp.objects.select_for_update().filter(meeting=meeting, user=user).first()
    before = rsvp.status if rsvp is not None else None
    if rsvp is None:
        rsvp = Rsvp(meeting=meeting, user=user)
    if answer == Going:
        if before in (Going, Waitlisted):
            return rsvp
        if meeting.capacity is None or meeting.going_count < meeting.capacity:
            rsvp.status, rsvp.position = Going, None
        else:
            rsvp.status, rsvp.position = Waitlisted, _next_position(meeting)
    else:
        rsvp.status, rsvp.position = answer, None
    rsvp.updated_at = timezone.now()
    rsvp.save()
    _recount(meeting)
    if before == Going and rsvp.status != Going:
        _fill_seats(meeting)
    return rsvp


def _next_position(meeting: Meeting) -> int:
    last = Rsvp.objects.filter(meeting=meeting, status=Waitlisted).aggregate(m=Max("position"))
    return (last["m"] or 0) + 1


def _recount(meeting: Meeting) -> None:
    """The meeting's going and waitlist counts from its RSVPs (under its lock)."""
    rows = Rsvp.objects.filter(meeting=meeting, status__in=[Going, Waitlisted])
    meeting.going_count = rows.filter(status=Going).count()
    meeting.waitlist_count = rows.filter(status=Waitlisted).count()
    meeting.save(update_fields=["going_count", "waitlist_count"])


def _fill_seats(meeting: Meeting) -> list[int]:
    """Give free seats to the first on the waitlist, each told; returns who moved up."""
    promoted: list[int] = []
    while meeting.capacity is None or meeting.going_count + len(promoted) < meeting.capacity:
        # One at a time, the first by position (then by id, the order they came in).
        first = (
            Rsvp.objects.select_for_update()
            .filter(meeting=meeting, status=Waitlisted)
            .order_by("position", "id")
            .first()
        )
        if first is None:
            break
        first.status, first.position, first.updated_at = Going, None, timezone.now()
        first.save(update_fields=["status", "position", "updated_at"])
        promoted.append(first.user_id)
    if promoted:
        _recount(meeting)
        _notify(meeting, promoted, Kind.WAITLIST_PROMOTED, None)
    return promoted


@transaction.atomic
def do_check_in(actor: User, meeting: Meeting, user_id: Any) -> Rsvp:
    check_can_organize(actor, meeting.network)
    if meeting.is_cancelled:
        raise StateConflict("cancelled", "This meeting is cancelled.")
    if not is_int(user_id) or not 0 < int(user_id) < 2**63:
        raise validation.v.invalid("user_id", "The id of a person going.")
    rsvp = Rsvp.objects.select_for_update().filter(meeting=meeting, user_id=user_id).first()
    if rsvp is None or rsvp.status != Going:
        raise StateConflict("not_going", "This person is not going to the meeting.")
    if rsvp.checked_in_at is None:
        rsvp.checked_in_at = timezone.now()
        rsvp.save(update_fields=["checked_in_at"])
        audit(
            meeting.network, actor, "meeting.check_in", target=meeting, target_user_id=rsvp.user_id
        )
    return rsvp


def drop_rsvps(user_id: int, network_id: int | None, *, upcoming: bool = True) -> None:
    """A member who left or was removed or banned: their answers to the network's meetings
    still to come go, and the seats they held go to the waitlists (`network_id` None and
    `upcoming` False: every answer of a deleted account). In the caller's transaction."""
    answers = Rsvp.objects.filter(user_id=user_id)
    if network_id is not None:
        answers = answers.filter(meeting__network_id=network_id)
    if upcoming:
        answers = answers.filter(meeting__starts_at__gt=timezone.now())
    meeting_ids = list(answers.values_list("meeting_id", flat=True))
    for meeting in (
        Meeting.objects.filter(pk__in=meeting_ids).select_related("network").order_by("id")
    ):
        meeting = _lock(meeting)
        held = (
            Rsvp.objects.filter(meeting=meeting, user_id=user_id)
            .values_list("status", flat=True)
            .first()
        )
        Rsvp.objects.filter(meeting=meeting, user_id=user_id).delete()
        _recount(meeting)
        if held == Going and not meeting.is_cancelled and not meeting.has_started():
            _fill_seats(meeting)
