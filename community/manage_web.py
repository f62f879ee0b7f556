"""Web pages for moderating a network: join requests, members (with the confirmations of
a ban or a removal), invitations and the audit log.

Every write calls the same `community.actions` as the API; who may open each page is
`permissions.checks`, as for the API (a network one may not moderate is a 404 or 403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.actions import display_name
from community import audit_log, queries
from community.actions import grants as grant_actions
from community.actions import invitations as invitation_actions
from community.actions import membership as membership_actions
from community.models import Membership, Network
from community.web import network_context
from core.api import me
from core.errors import ActionError
from core.web import apply_action_error, fail, not_found_on, signed_in, web_page
from permissions import checks
from permissions.roles import GRANTABLE, PERM_NAMES, Perm

Status = Membership.Status

# --- moderation ---------------------------------------------------------------------------------


def moderated_network(request: HttpRequest, slug: str, perm: Perm | None = None) -> Network:
    """The network if the user moderates it (holds `perm`, or any moderation permission);
    to everyone else these pages do not exist."""
    network = checks.access_network(request.user, slug)
    allowed = (
        checks.may(request.user, network, perm)
        if perm is not None
        else checks.may_moderate(request.user, network)
    )
    if not allowed:
        raise Http404
    return network


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label=_("Reason"))


class MuteForm(ReasonForm):
    minutes = forms.TypedChoiceField(
        label=_("Mute for"),
        coerce=int,
        choices=[
            (60, _("1 hour")),
            (60 * 24, _("1 day")),
            (60 * 24 * 7, _("1 week")),
            (60 * 24 * 30, _("30 days")),
        ],
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


MEMBER_ACTIONS: dict[str, tuple[type[forms.Form] | None, Any, Any]] = {
    "approve": (
        None,
        lambda a, n, u, d: membership_actions.do_approve_member(a, n, u),
        _("Request approved."),
    ),
    "reject": (
        ReasonForm,
        lambda a, n, u, d: membership_actions.do_reject_member(a, n, u, d["reason"]),
        _("Request declined."),
    ),
    "ban": (
        ReasonForm,
        lambda a, n, u, d: membership_actions.do_ban_member(a, n, u, d["reason"]),
        _("Member banned."),
    ),
    "unban": (
        ReasonForm,
        lambda a, n, u, d: membership_actions.do_unban_member(a, n, u, d["reason"]),
        _("Ban lifted."),
    ),
    "mute": (
        MuteForm,
        lambda a, n, u, d: membership_actions.do_mute_member(a, n, u, d["minutes"], d["reason"]),
        _("Member muted."),
    ),
    "unmute": (
        None,
        lambda a, n, u, d: membership_actions.do_unmute_member(a, n, u),
        _("Mute lifted."),
    ),
    "remove": (
        ReasonForm,
        lambda a, n, u, d: membership_actions.do_remove_member(a, n, u, d["reason"]),
        _("Member removed."),
    ),
    "set-role": (
        RoleForm,
        lambda a, n, u, d: membership_actions.do_set_role(a, n, u, d["role"]),
        _("Role changed."),
    ),
}


@signed_in
def manage_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Pending join requests, each with its message, to approve or decline."""
    network = moderated_network(request, slug, Perm.MANAGE_MEMBERS)
    rows, next_cursor = web_page(
        queries.list_members(network, statuses=[Status.PENDING]), request, ("id",)
    )
    context = network_context(request, network, "manage")
    context.update({"rows": rows, "next_cursor": next_cursor, "section": "requests"})
    return render(request, "community/manage_requests.html", context)


class MemberFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            (Status.ACTIVE, _("Active")),
            (Status.BANNED, _("Banned")),
            (Status.INVITED, _("Invited")),
        ],
    )
    role = forms.ChoiceField(
        required=False, label=_("Role"), choices=[("", _("Any role")), *Membership.Role.choices]
    )
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Name"),
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )


@signed_in
def manage_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Members with their role and standing, and the actions a moderator may take on each."""
    network = moderated_network(request, slug, Perm.MANAGE_MEMBERS)
    form = MemberFilterForm(request.GET or None)
    status, role, q = Status.ACTIVE, None, ""
    if form.is_valid():
        status = form.cleaned_data["status"] or Status.ACTIVE
        role = form.cleaned_data["role"] or None
        q = form.cleaned_data["q"]
    rows, next_cursor = web_page(
        queries.list_members(network, statuses=[status], role=role, q=q), request, ("id",)
    )
    held = checks.held_permissions_of_many(network, [row.user_id for row in rows])
    for row in rows:
        row.may_act = checks.may_act_on(me(request), network, row)
        row.held = {perm.value for perm in held[row.user_id]}
    context = network_context(request, network, "manage")
    context.update(
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "form": form,
            "status": status,
            "section": "members",
            "mute_form": MuteForm(),
            "role_choices": Membership.Role.choices,
            "permission_choices": [
                (perm.value, PERM_NAMES[perm]) for perm in Perm if perm in GRANTABLE
            ],
        }
    )
    return render(request, "community/manage_members.html", context)


def _back_to_members(request: HttpRequest, network: Network, back: str | None = None) -> str:
    back = back if back is not None else request.POST.get("back") or ""
    if not back.startswith(f"/networks/{network.slug}/manage/"):
        back = reverse("web:manage-members", args=[network.slug])
    return back


@require_POST
@signed_in
def member_permissions(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """An owner's form of one member's permissions: the ticked ones are granted, the others
    withdrawn (through the same action as the API)."""
    network = moderated_network(request, slug, Perm.ADMINISTER)
    back = _back_to_members(request, network)
    wanted = set(request.POST.getlist("perm"))
    held = {perm.value for perm in checks.held_permissions(network, user_id) & GRANTABLE}
    grant, revoke = sorted(wanted - held), sorted(held - wanted)
    if not grant and not revoke:
        messages.info(request, _("Nothing changed."))
        return redirect(back)
    try:
        grant_actions.do_set_permissions(me(request), network, user_id, grant, revoke)
    except ActionError as exc:
        return fail(request, exc, back)
    messages.success(request, _("Permissions saved."))
    return redirect(back)


# Actions that cannot be undone by a click are asked first, on a page of their own that
# holds the reason (a ban's reason is what the banned member is told).
CONFIRMED = {
    "ban": (
        _("Ban %(name)s from %(network)s?"),
        _("They lose access at once and cannot join again until the ban is lifted."),
        _("Ban"),
    ),
    "remove": (
        _("Remove %(name)s from %(network)s?"),
        _("They lose access at once; they may ask to join again."),
        _("Remove"),
    ),
}


@require_http_methods(["GET", "POST"])
@signed_in
def member_action(request: HttpRequest, slug: str, user_id: int, action: str) -> HttpResponse:
    """One moderation action on one member, through the same action as the API; a ban or
    a removal asked for with GET first shows its confirmation."""
    if action not in MEMBER_ACTIONS or (request.method == "GET" and action not in CONFIRMED):
        raise Http404
    network = moderated_network(request, slug, Perm.MANAGE_MEMBERS)
    if request.method == "GET":
        return _confirm_member_action(request, network, user_id, action)
    back = _back_to_members(request, network)
    form_cls, run, done = MEMBER_ACTIONS[action]
    data: dict[str, Any] = {}
    if form_cls is not None:
        form = form_cls(request.POST)
        if not form.is_valid():
            for field in form:
                for error in field.errors:
                    messages.error(request, f"{field.label}: {error}")
            return redirect(back)
        data = form.cleaned_data
    try:
        run(me(request), network, user_id, data)
    except ActionError as exc:
        return fail(request, exc, back)
    messages.success(request, done)
    return redirect(back)


def _confirm_member_action(
    request: HttpRequest, network: Network, user_id: int, action: str
) -> HttpResponse:
    membership = (
        queries.list_members(network, statuses=[Status.ACTIVE, Status.INVITED, Status.PENDING])
        .filter(user_id=user_id)
        .first()
    )
    if membership is None or not checks.may_act_on(me(request), network, membership):
        raise Http404
    question, consequence, button = CONFIRMED[action]
    name = display_name(membership.user)
    context = network_context(request, network, "manage")
    context.update(
        {
            "section": "members",
            "target": membership,
            "action": action,
            "question": question % {"name": name, "network": network.name},
            "consequence": consequence,
            "button": button,
            "form": ReasonForm(),
            "back": _back_to_members(request, network, request.GET.get("back", "")),
        }
    )
    return render(request, "community/member_confirm.html", context)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        required=False,
        label=_("For one email address (optional)"),
        widget=forms.EmailInput(attrs={"dir": "ltr"}),
    )
    max_uses = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, label=_("How many times it may be used")
    )
    expires_in_hours = forms.IntegerField(
        required=False, min_value=1, max_value=24 * 365, label=_("Valid for (hours)")
    )


@signed_in
def manage_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """Invitation links: create one (optionally for an address, limited, expiring), revoke."""
    network = moderated_network(request, slug, Perm.MANAGE_MEMBERS)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_actions.do_create_invitation(
                me(request),
                network,
                email=data["email"] or "",
                max_uses=data["max_uses"],
                expires_in_hours=data["expires_in_hours"],
            )
        except ActionError as exc:
            not_found_on(exc)
            apply_action_error(form, exc)
        else:
            messages.success(request, _("Invitation created: copy its link below."))
            return redirect(f"{reverse('web:manage-invitations', args=[slug])}?new={invitation.pk}")
    rows, next_cursor = web_page(queries.list_invitations(network), request, ("-id",))
    for row in rows:
        row.link = request.build_absolute_uri(
            f"{reverse('web:join', args=[network.slug])}?invitation={row.token}"
        )
    context = network_context(request, network, "manage")
    context.update(
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "form": form,
            "section": "invitations",
            "new_id": request.GET.get("new", ""),
        }
    )
    return render(request, "community/manage_invitations.html", context)


@require_POST
@signed_in
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    network = moderated_network(request, slug, Perm.MANAGE_MEMBERS)
    back = reverse("web:manage-invitations", args=[slug])
    try:
        invitation_actions.do_revoke_invitation(me(request), network, invitation_id)
    except ActionError as exc:
        return fail(request, exc, back)
    messages.success(request, _("Invitation revoked."))
    return redirect(back)


@signed_in
def manage_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Who did what to whom, when and why: newest first."""
    network = moderated_network(request, slug)
    rows, next_cursor = web_page(queries.list_audit_entries(network), request, ("-id",))
    targets = audit_log.targets(rows)
    for row in rows:
        row.label = audit_log.label(row)
        row.target = targets.get(row.pk)
    context = network_context(request, network, "manage")
    context.update({"rows": rows, "next_cursor": next_cursor, "section": "audit"})
    return render(request, "community/manage_audit.html", context)
