"""A read-only view of guardian grants, to check what a membership turned into.

Grants are derived from memberships and the owner's overrides by
`permissions.actions`; editing them here would desynchronize them, so the admin only
lists them. The overrides themselves are edited in community's admin, through the
audited action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from permissions.models import NetworkUserObjectPermission


@admin.register(NetworkUserObjectPermission)
class NetworkUserObjectPermissionAdmin(admin.ModelAdmin):
    list_display = ["user", "content_object", "permission"]
    list_filter = ["permission", "content_object"]
    search_fields = ["user__username", "content_object__slug"]
    list_select_related = ["user", "content_object", "permission"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
