"""Staff see which devices a person is signed in on and may revoke a token (its sockets
close, accounts.signout). Tokens are issued only by signing in, never here; the digest
and the key are never shown. The user admin's forms check identity as sign-up does
(accounts.user_admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts import user_admin
from accounts.models import AuthToken

user_admin.register()


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created", "last_used", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username", "name")
    fields = readonly_fields = ("user", "name", "created", "last_used", "expiry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
