"""Web pages for networks: the list, a network's home, joining and leaving.

Reads go through `community.queries` and `permissions.checks` exactly as the API's do
(a network the user may not see is a 404 here too); writes call `community.actions`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from community import queries
from community.actions import membership as membership_actions
from community.models import Invitation, Membership, Network
from core.api import me
from core.errors import ActionError
from core.web import apply_action_error, fail, not_found_on, signed_in, web_page
from permissions import checks

Status = Membership.Status


def network_context(request: HttpRequest, network: Network, tab: str) -> dict[str, Any]:
    """What every network page's header needs: counts, the user's standing, what they may do."""
    annotated = queries.get_network_for_user(request.user, network)
    membership = checks.get_membership(request.user, network)
    return {
        "network": annotated,
        "membership": membership,
        "tab": tab,
        "may_read": checks.may_read(request.user, network),
        "may_participate": checks.may_participate(request.user, network),
        "may_moderate": checks.may_moderate(request.user, network),
        "may_manage_members": checks.may_manage_members(request.user, network),
        "may_administer": checks.may_administer(request.user, network),
        "is_member": membership is not None and membership.is_active,
        "is_muted": membership is not None and membership.is_active and membership.is_muted(),
    }


# --- the list ------------------------------------------------------------------------------


class NetworkFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search networks"))
    kind = forms.ChoiceField(
        required=False,
        label=_("Kind"),
        choices=[("", _("All networks")), *Network.Kind.choices],
    )


def network_list(request: HttpRequest) -> HttpResponse:
    form = NetworkFilterForm(request.GET or None)
    kind = q = None
    if form.is_valid():
        kind = form.cleaned_data["kind"] or None
        q = form.cleaned_data["q"].strip() or None
    networks, next_cursor = web_page(
        queries.list_networks(request.user, kind=kind, q=q), request, ("name", "id")
    )
    return render(
        request,
        "community/network_list.html",
        {"form": form, "networks": networks, "next_cursor": next_cursor},
    )


# --- a network's home ------------------------------------------------------------------------


def network_home(request: HttpRequest, slug: str) -> HttpResponse:
    """About, categories, rooms and the join button matching the network's policy.

    Anyone who may see the network gets this page; its content (categories, rooms)
    shows only to those who may read it.
    """
    network = checks.access_network(request.user, slug)
    context = network_context(request, network, "home")
    if context["may_read"]:
        from calls import queries as call_queries
        from community.forums import queries as forum_queries

        context["categories"] = list(forum_queries.list_categories(network)[:20])
        # What the network's calls mobilised (calls sits above community: read lazily).
        context["call_record"] = call_queries.record(network)
    return render(request, "community/network_home.html", context)


# --- joining and leaving -----------------------------------------------------------------------


class JoinForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=2000,
        label=_("A message for the moderators"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    invitation = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


@signed_in
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Join by the network's policy: at once, by request with a message, or with an invitation.

    This is the page an invitation link opens (`?invitation=<token>`), also for a
    hidden network the visitor cannot otherwise see.
    """
    source = request.POST if request.method == "POST" else request.GET
    token = (source.get("invitation") or "").strip()[:64] or None
    try:
        network = membership_actions.find_network_for_join(me(request), slug, token)
    except ActionError as exc:
        not_found_on(exc)
        raise
    form = JoinForm(
        request.POST if request.method == "POST" else None, initial={"invitation": token or ""}
    )
    invitation = Invitation.objects.filter(network=network, token=token).first() if token else None
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_actions.do_join_network(
                me(request),
                network,
                message=form.cleaned_data["message"],
                invitation_token=token,
            )
        except ActionError as exc:
            not_found_on(exc)
            apply_action_error(form, exc)
        else:
            if membership.status == Status.ACTIVE:
                messages.success(request, _("Welcome! You are now a member."))
            else:
                messages.success(request, _("Your request was sent to the moderators."))
            return redirect("web:network", slug=network.slug)
    context = (
        network_context(request, network, "home")
        if checks.may_see_network(me(request), network)
        else {"network": network, "tab": "home"}
    )
    context.update({"form": form, "invitation": invitation, "token": token})
    return render(request, "community/join.html", context)


@require_POST
@signed_in
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    network = checks.access_network(request.user, slug)
    try:
        membership_actions.do_leave_network(me(request), network)
    except ActionError as exc:
        return fail(request, exc, reverse("web:network", args=[slug]))
    messages.success(request, _("You left the network."))
    return redirect("web:network", slug=slug)


def content_network(request: HttpRequest, slug: str) -> Network:
    """A network whose content the user may read; anonymous visitors and outsiders get 404."""
    try:
        return checks.access_network_content(request.user, slug)
    except ActionError as exc:
        not_found_on(exc)
        raise  # not allowed (banned): the error page says why
