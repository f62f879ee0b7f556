"""Admin for networks, memberships, invitations and the audit log.

The admin is one more client of `community.actions`: creating or editing a
network, approving, banning or re-roling a member, inviting and revoking all go
through the same actions as the REST API, so they are audited, keep guardian
grants in sync and notify connected clients. Rows the actions own are read-only
here; nothing is saved with a bare `.save()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from community.actions import invitations as invitation_actions
from community.actions import membership as membership_actions
from community.actions import networks as network_actions
from community.models import AuditEntry, Invitation, Membership, Network
from core.errors import ActionError

Status = Membership.Status


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin only lets signed-in staff in
    return user


# --- networks -------------------------------------------------------------------------


class NetworkAdminForm(forms.ModelForm):
    """The same rules as the API's NetworkWriteSerializer: a country or a theme per kind."""

    class Meta:
        model = Network
        fields = [
            "name",
            "slug",
            "kind",
            "country",
            "theme",
            "description",
            "visibility",
            "join_policy",
            "archived",
        ]

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Network.Kind.GEOGRAPHIC and not data.get("country"):
            self.add_error("country", "A geographic network needs a country.")
        if data.get("kind") == Network.Kind.THEMATIC and not data.get("theme"):
            self.add_error("theme", "A thematic network needs a theme.")
        return data


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    form = NetworkAdminForm
    list_display = [
        "name",
        "slug",
        "kind",
        "country",
        "theme",
        "visibility",
        "join_policy",
        "active_members",
        "archived",
    ]
    list_filter = ["kind", "visibility", "join_policy", "archived"]
    search_fields = ["name", "slug", "theme", "description"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Network]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=Count("memberships", filter=Q(memberships__status=Status.ACTIVE))
            )
        )

    @admin.display(description="active members", ordering="active_count")
    def active_members(self, network: Network) -> int:
        return int(getattr(network, "active_count", 0))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Clients address networks by slug: it never changes once created.
        return [*self.readonly_fields, "slug"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would take every forum, room and audit entry with it; archive instead.
        return False

    def save_model(self, request: HttpRequest, obj: Network, form: Any, change: bool) -> None:
        user = _staff_user(request)
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            network_actions.do_update_network(user, Network.objects.get(pk=obj.pk), **changes)
        else:
            fields = {name: form.cleaned_data[name] for name in NetworkAdminForm.Meta.fields}
            archived = fields.pop("archived", False)
            network = network_actions.do_create_network(user, **fields)
            if archived:
                network_actions.do_update_network(user, network, archived=True)
            obj.pk = network.pk
        obj.refresh_from_db()


# --- memberships ------------------------------------------------------------------------


def _membership_action(
    verb: str, run: Callable[[User, Network, int], Any], description: str
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Membership]], None]:
    """An admin action applying one community action to each selected membership."""

    def apply(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Membership]
    ) -> None:
        actor = _staff_user(request)
        done, refused = 0, []
        for membership in queryset.select_related("user", "network"):
            try:
                run(actor, membership.network, membership.user_id)
                done += 1
            except ActionError as exc:
                refused.append(f"{membership.user} in {membership.network}: {exc.message}")
        if done:
            modeladmin.message_user(request, f"{verb}: {done} membership(s).", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, f"Not {verb.lower()}: {line}", messages.WARNING)

    apply.__name__ = verb.lower().replace(" ", "_")
    return admin.action(description=description, permissions=["moderate"])(apply)


ADMIN_REASON = "By a platform administrator, from the admin."


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "role", "status", "muted_until", "acted_by", "acted_at"]
    list_filter = ["status", "role", "network"]
    search_fields = ["user__username", "user__email", "network__slug", "network__name"]
    list_select_related = ["user", "network", "acted_by"]
    ordering = ["-id"]
    actions = [
        _membership_action(
            "Approved", membership_actions.do_approve_member, "Approve join requests"
        ),
        _membership_action(
            "Rejected",
            lambda a, n, u: membership_actions.do_reject_member(a, n, u, ADMIN_REASON),
            "Reject join requests",
        ),
        _membership_action(
            "Banned",
            lambda a, n, u: membership_actions.do_ban_member(a, n, u, ADMIN_REASON),
            "Ban (ends access at once)",
        ),
        _membership_action(
            "Unbanned",
            lambda a, n, u: membership_actions.do_unban_member(a, n, u, ADMIN_REASON),
            "Lift bans",
        ),
        _membership_action("Unmuted", membership_actions.do_unmute_member, "End mutes"),
        _membership_action(
            "Removed",
            lambda a, n, u: membership_actions.do_remove_member(a, n, u, ADMIN_REASON),
            "Remove from the network",
        ),
        _membership_action(
            "Made moderator",
            lambda a, n, u: membership_actions.do_set_role(a, n, u, Membership.Role.MODERATOR),
            "Make moderators",
        ),
        _membership_action(
            "Made member",
            lambda a, n, u: membership_actions.do_set_role(a, n, u, Membership.Role.MEMBER),
            "Make plain members",
        ),
    ]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        # Staff moderate every network; the actions check it again.
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- invitations ------------------------------------------------------------------------


class InvitationAdminForm(forms.ModelForm):
    expires_in_hours = forms.IntegerField(
        required=False, min_value=1, max_value=24 * 365, help_text="Empty: never expires."
    )

    class Meta:
        model = Invitation
        fields = ["network", "email", "max_uses"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationAdminForm
    list_display = [
        "network",
        "email",
        "uses",
        "max_uses",
        "expires_at",
        "revoked_at",
        "created_by",
    ]
    list_filter = ["network"]
    search_fields = ["email", "network__slug"]
    list_select_related = ["network", "created_by"]
    ordering = ["-id"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        data = form.cleaned_data
        invitation = invitation_actions.do_create_invitation(
            _staff_user(request),
            data["network"],
            email=data.get("email") or "",
            max_uses=data.get("max_uses"),
            expires_in_hours=data.get("expires_in_hours"),
        )
        obj.pk = invitation.pk
        obj.refresh_from_db()

    @admin.action(description="Revoke (the link stops working)", permissions=["moderate"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        actor = _staff_user(request)
        done = 0
        for invitation in queryset.select_related("network"):
            try:
                invitation_actions.do_revoke_invitation(actor, invitation.network, invitation.pk)
                done += 1
            except ActionError as exc:
                self.message_user(request, f"{invitation}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"Revoked {done} invitation(s).", messages.SUCCESS)


# --- audit log --------------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is written by actions and never edited."""

    list_display = ["at", "network", "actor", "action", "target_user", "reason"]
    list_filter = ["action", "network"]
    search_fields = ["action", "actor__username", "target_user__username", "reason"]
    list_select_related = ["network", "actor", "target_user"]
    ordering = ["-id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
