"""Admin for networks, memberships, permission overrides, invitations and the audit log.

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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from community.actions import grants as grant_actions
from community.actions import invitations as invitation_actions
from community.actions import membership as membership_actions
from community.actions import networks as network_actions
from community.models import AuditEntry, Invitation, Membership, Network
from core.errors import ActionError
from permissions.models import PermissionOverride
from permissions.roles import perms_for

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


# --- permission overrides ---------------------------------------------------------------


def _override_change(override: PermissionOverride) -> dict[str, list[str]]:
    """The action's arguments that write this override."""
    return {"grant" if override.granted else "revoke": [override.codename]}


def _clearing_change(override: PermissionOverride) -> dict[str, list[str]]:
    """The action's arguments that clear it (grant back what was withdrawn, and back)."""
    return {"revoke" if override.granted else "grant": [override.codename]}


class PermissionOverrideForm(forms.ModelForm):
    actor: User  # set per request by the admin

    class Meta:
        model = PermissionOverride
        fields = ["membership", "codename", "granted"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        membership = data.get("membership")
        if membership is None or not data.get("codename"):
            return data
        override = PermissionOverride(
            membership=membership, codename=data["codename"], granted=data["granted"]
        )
        if override.granted == (override.codename in perms_for(membership)):
            raise ValidationError("The role already says so: there is nothing to override.")
        try:
            with transaction.atomic():
                grant_actions.check_set_permissions(
                    self.actor,
                    membership.network,
                    membership.user_id,
                    **{"grant": None, "revoke": None, **_override_change(override)},
                )
        except ActionError as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(PermissionOverride)
class PermissionOverrideAdmin(admin.ModelAdmin):
    """An owner's grants and withdrawals, member by member. Adding and deleting go through
    `community.actions.grants` (audited, guardian's table resynced); there is no editing:
    delete one to return to the role's bundle."""

    form = PermissionOverrideForm
    list_display = ["membership", "codename", "granted", "by", "at"]
    list_filter = ["codename", "granted", "membership__network"]
    search_fields = ["membership__user__username", "membership__network__slug"]
    list_select_related = ["membership__user", "membership__network", "by"]
    raw_id_fields = ["membership"]
    ordering = ["-id"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.actor = _staff_user(request)  # a class made for this request
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PermissionOverride, form: Any, change: bool
    ) -> None:
        membership = obj.membership
        grant_actions.do_set_permissions(
            _staff_user(request), membership.network, membership.user_id, **_override_change(obj)
        )
        saved = PermissionOverride.objects.get(membership=membership, codename=obj.codename)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: PermissionOverride) -> None:
        membership = obj.membership
        grant_actions.do_set_permissions(
            _staff_user(request), membership.network, membership.user_id, **_clearing_change(obj)
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PermissionOverride]) -> None:
        for override in queryset.select_related("membership__network"):
            self.delete_model(request, override)


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
