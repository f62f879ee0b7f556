"""Every write to calls and applications, each in one transaction with its audit entry
and the notifications it causes.

Who: a call is posted by a holder of `publish_calls` on its network and managed by its
poster while they still hold it, and by the network's moderators who hold it (so the
calls of a poster who lost it, or was banned, stay in hand). Members apply.

Positions are counted under the call's row lock (`_lock`): every application and
decision takes it, so the last position accepted twice at once fills the call once
and the second acceptance is told the call is filled.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from calls import validation
from calls.models import Application, Call
from calls.search import CALLS
from community.actions.common import audit, holds_active_membership
from community.forums.mentions import render_post_body
from community.models import Membership, Network
from core.errors import NotAllowed, NotFound, StateConflict
from notifications.actions import do_notify
from notifications.models import Notification
from permissions import checks
from permissions.roles import Perm
from search import outbox

Kind = Notification.Kind
CallStatus = Call.Status
AppStatus = Application.Status

# What a call may become, from each status (`close` names the new status).
CALL_MOVES: dict[str, tuple[str, ...]] = {
    CallStatus.DRAFT: ("open", "cancelled"),
    CallStatus.OPEN: ("closed", "filled", "cancelled"),
    CallStatus.CLOSED: ("filled", "cancelled"),
    CallStatus.FILLED: (),
    CallStatus.CANCELLED: (),
}
# What a decision may do to an application, from each status.
APPLICATION_MOVES: dict[str, tuple[str, ...]] = {
    AppStatus.SUBMITTED: ("shortlist", "accept", "decline", "withdraw"),
    AppStatus.SHORTLISTED: ("accept", "decline", "withdraw"),
    AppStatus.ACCEPTED: ("outcome",),
    AppStatus.DECLINED: (),
    AppStatus.WITHDRAWN: (),
}
DECISIONS = {
    "shortlist": AppStatus.SHORTLISTED,
    "accept": AppStatus.ACCEPTED,
    "decline": AppStatus.DECLINED,
}


def may_post(user: Any, network: Network) -> bool:
    return checks.may(user, network, Perm.PUBLISH_CALLS)


def manages_all_calls(user: Any, network: Network) -> bool:
    """The network's moderators and owners (by role, not by some moderation permission a
    partner account might also hold) who hold `publish_calls`, and platform staff."""
    if getattr(user, "is_staff", False):
        return True
    membership = checks.get_membership(user, network)
    return (
        membership is not None
        and membership.is_active
        and membership.role in (Membership.Role.MODERATOR, Membership.Role.OWNER)
        and may_post(user, network)
    )


def may_manage(user: Any, call: Call) -> bool:
    """The call's poster while they hold `publish_calls`, or the network's moderators
    (`manages_all_calls`)."""
    if not getattr(user, "is_authenticated", False) or not may_post(user, call.network):
        return False
    return call.poster_id == user.pk or manages_all_calls(user, call.network)


def check_can_manage(user: Any, call: Call) -> None:
    """Applications, matches and every change are the managers'; to others the door is
    not there (the same 404 as a call that does not exist)."""
    if not may_manage(user, call):
        raise NotFound()


def _lock(call: Call) -> Call:
    """The call re-read under its row lock, keeping the caller's network."""
    locked = Call.objects.select_for_update().filter(pk=call.pk).first()
    if locked is None:
        raise NotFound()
    locked.network = call.network
    return locked


def _refuse(what: str, status: str, allowed: tuple[str, ...]) -> StateConflict:
    allowed_text = ", ".join(allowed) if allowed else "nothing"
    return StateConflict(
        "invalid_transition",
        f"This {what} is {status}: it can go to {allowed_text}.",
        {"status": [status], "allowed": list(allowed)},
    )


def _render(network: Network, body: str) -> str:
    return render_post_body(network, body).html if body else ""


def _notify(call: Call, recipients: Any, kind: str, actor: User | None, **data: Any) -> None:
    do_notify(
        recipients,
        kind,
        network=call.network,
        actor=actor,
        target=("call", call.pk),
        data={"title": call.title, **data},
        once=kind == Kind.CALL_MATCH,
    )


@transaction.atomic
def do_create_call(actor: User, network: Network, data: Any) -> Call:
    if not may_post(actor, network):
        raise NotAllowed(
            "not_poster", "Only the network's moderators and call publishers may post calls."
        )
    fields = validation.clean_call(data, None)
    call = Call(network=network, poster=actor, **fields)
    call.body_html = _render(network, call.body)
    call.save()
    audit(network, actor, "call.create", target=call, title=call.title)
    return call


@transaction.atomic
def do_edit_call(actor: User, call: Call, data: Any) -> Call:
    check_can_manage(actor, call)
    call = _lock(call)
    if call.status not in (CallStatus.DRAFT, CallStatus.OPEN):
        raise StateConflict(
            "call_closed", f"This call is {call.status}: it can no longer change.", {}
        )
    changes = validation.clean_call(data, call)
    changed = sorted(f for f, value in changes.items() if getattr(call, f) != value)
    if not changed:
        return call
    for field in changed:
        setattr(call, field, changes[field])
    if "body" in changed:
        call.body_html = _render(call.network, call.body)
    call.updated_at = timezone.now()
    if call.accepted_count and call.accepted_count >= call.positions:
        call.status, call.closed_at = CallStatus.FILLED, call.updated_at  # fewer positions
    call.save()
    audit(call.network, actor, "call.edit", target=call, fields=changed)
    outbox.enqueue(CALLS, [call.pk])
    return call


@transaction.atomic
def do_publish_call(actor: User, call: Call) -> Call:
    """Draft → open; the best matches (`CALL_MATCH_NOTIFY`, as the poster sees them) are
    told, once per call."""
    from calls.matching import best_matches

    check_can_manage(actor, call)
    matched: list[int] = []
    if call.status == CallStatus.DRAFT and call.deadline > timezone.now():
        # Searched before the lock is taken: the row is not held while the engine answers.
        matched = [m.user_id for m in best_matches(call, actor, settings.CALL_MATCH_NOTIFY)]
    call = _lock(call)
    if call.status != CallStatus.DRAFT:
        raise _refuse("call", call.status, CALL_MOVES[call.status])
    if call.deadline <= timezone.now():
        raise validation.v.invalid(
            "deadline", gettext("The deadline has passed: set a new one first.")
        )
    call.status, call.published_at = CallStatus.OPEN, timezone.now()
    call.updated_at = call.published_at
    call.save(update_fields=["status", "published_at", "updated_at"])
    audit(call.network, actor, "call.publish", target=call)
    applied = set(Application.objects.filter(call=call).values_list("applicant_id", flat=True))
    _notify(call, [uid for uid in matched if uid not in applied], Kind.CALL_MATCH, actor)
    outbox.enqueue(CALLS, [call.pk])
    return call


@transaction.atomic
def do_close_call(actor: User, call: Call, outcome: Any) -> Call:
    check_can_manage(actor, call)
    call = _lock(call)
    # Filled needs someone accepted; open is publishing's.
    allowed = tuple(
        s
        for s in CALL_MOVES[call.status]
        if s != "open" and (s != "filled" or call.accepted_count > 0)
    )
    if outcome not in ("filled", "closed", "cancelled"):
        raise validation.v.invalid("outcome", "filled, closed or cancelled.")
    if outcome not in allowed:
        raise _refuse("call", call.status, allowed)
    call.status, call.closed_at = outcome, timezone.now()
    call.updated_at = call.closed_at
    call.save(update_fields=["status", "closed_at", "updated_at"])
    audit(call.network, actor, "call.close", target=call, outcome=outcome)
    outbox.enqueue(CALLS, [call.pk])
    return call


def _check_may_apply(user: User, call: Call, *, locked: bool = False) -> None:
    """A member of the call's network, before the deadline of an open call. `locked`:
    their membership row is read under a lock (taken before the call's), so a departure
    committing meanwhile either waits for this application or is seen by it."""
    if locked and not user.is_staff:
        if not holds_active_membership(user, call.network):
            raise NotAllowed("not_member", "Only members of the network may apply.")
    elif not checks.may(user, call.network, Perm.PARTICIPATE):
        raise NotAllowed("not_member", "Only members of the network may apply.")
    if call.poster_id == user.pk:
        raise NotAllowed("own_call", "You posted this call; you cannot apply to it.")
    if not call.accepts_applications():
        raise NotAllowed("call_closed", "This call no longer takes applications.")


@transaction.atomic
def do_apply(user: User, call: Call, data: Any) -> Application:
    fields = validation.clean_application(data, call)
    _check_may_apply(user, call)
    _check_may_apply(user, call, locked=True)
    call = _lock(call)
    _check_may_apply(user, call)  # closed while we waited for the lock
    if Application.objects.filter(call=call, applicant=user).exists():
        raise StateConflict("already_applied", "You already applied to this call.", {})
    try:
        with transaction.atomic():
            application = Application.objects.create(call=call, applicant=user, **fields)
    except IntegrityError:
        raise StateConflict("already_applied", "You already applied to this call.", {}) from None
    call.applications_count += 1
    call.save(update_fields=["applications_count"])
    audit(call.network, user, "call.apply", target=call, target_user_id=user.pk)
    if call.poster is not None and may_manage(call.poster, call):
        _notify(call, [call.poster_id], Kind.APPLICATION, user)
    return application


def _lock_application(application: Application, call: Call) -> Application:
    locked = Application.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None:
        raise NotFound()
    locked.call = call
    return locked


@transaction.atomic
def do_decide(
    actor: User, application: Application, action: str, call_id: Any = None
) -> Application:
    """shortlist, accept or decline (the call's managers); accepting the last position
    fills the call. `call_id`: the call the decider means (a page's form says it); an
    application of another call is refused."""
    call = application.call
    check_can_manage(actor, call)
    if action not in DECISIONS:
        raise NotFound()
    if application.applicant_id == actor.pk:
        raise NotAllowed("own_application", "Someone else decides on your own application.")
    if call_id is not None and str(call_id) != str(call.pk):
        raise StateConflict(
            "other_call", "This application is to another call.", {"call": [str(call.pk)]}
        )
    call = _lock(call)
    application = _lock_application(application, call)
    allowed = tuple(a for a in APPLICATION_MOVES[application.status] if a != "withdraw")
    if action not in allowed:
        raise _refuse("application", application.status, allowed)
    if call.status not in (CallStatus.OPEN, CallStatus.CLOSED, CallStatus.FILLED):
        raise StateConflict("call_closed", f"This call is {call.status}.", {})
    if action == "accept" and call.accepted_count >= call.positions:
        raise StateConflict(
            "call_filled", "Every position of this call is taken.", {"allowed": ["decline"]}
        )
    application.status = DECISIONS[action]
    application.decided_at = application.updated_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    if action == "accept":
        call.accepted_count += 1
        fields = ["accepted_count"]
        if call.accepted_count >= call.positions:
            call.status, call.closed_at = CallStatus.FILLED, timezone.now()
            fields += ["status", "closed_at"]
        call.save(update_fields=fields)
        if "status" in fields:
            outbox.enqueue(CALLS, [call.pk])
    audit(
        call.network,
        actor,
        f"call.application.{action}",
        target=call,
        target_user_id=application.applicant_id,
    )
    _notify(call, [application.applicant_id], Kind.APPLICATION_DECISION, actor, decision=action)
    return application


@transaction.atomic
def do_withdraw(user: User, application: Application) -> Application:
    if application.applicant_id != user.pk:
        raise NotFound()
    call = _lock(application.call)
    application = _lock_application(application, call)
    allowed = ("withdraw",) if "withdraw" in APPLICATION_MOVES[application.status] else ()
    if not allowed:
        raise _refuse("application", application.status, allowed)
    _withdraw(application)
    audit(call.network, user, "call.application.withdraw", target=call, target_user_id=user.pk)
    return application


def _withdraw(application: Application) -> None:
    application.status = AppStatus.WITHDRAWN
    application.updated_at = timezone.now()
    application.save(update_fields=["status", "updated_at"])


@transaction.atomic
def do_record_outcome(actor: User, application: Application, data: Any) -> Application:
    check_can_manage(actor, application.call)
    fields = validation.clean_outcome(data)
    call = _lock(application.call)
    application = _lock_application(application, call)
    if application.status != AppStatus.ACCEPTED:
        raise _refuse("application", application.status, ())
    before = _mission_days(application)
    application.outcome = fields["status"]
    application.outcome_days = fields.get("days")
    call.mission_days += _mission_days(application) - before
    call.save(update_fields=["mission_days"])
    application.outcome_feedback = fields.get("feedback", "")
    application.outcome_at = application.updated_at = timezone.now()
    application.save()
    audit(
        call.network,
        actor,
        "call.application.outcome",
        target=call,
        target_user_id=application.applicant_id,
        outcome=application.outcome,
        days=application.outcome_days,
    )
    return application


def _mission_days(application: Application) -> int:
    """The days a completed mission counts in its call's record."""
    if application.outcome != Application.Outcome.COMPLETED:
        return 0
    return application.outcome_days or 0


def withdraw_pending(user_id: int, network_id: int | None) -> None:
    """A member who left, was removed or banned (or whose account goes): their pending
    applications (submitted, shortlisted) in the network are withdrawn. In the caller's
    transaction."""
    pending = Application.objects.filter(
        applicant_id=user_id, status__in=[AppStatus.SUBMITTED, AppStatus.SHORTLISTED]
    )
    if network_id is not None:
        pending = pending.filter(call__network_id=network_id)
    pending.update(status=AppStatus.WITHDRAWN, updated_at=timezone.now())
