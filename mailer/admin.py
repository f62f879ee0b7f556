"""Outgoing mail in the admin: find a mail (status, kind, address), see why it has not
gone (attempts, last error, next attempt), and retry it now.

Rows are written by the outbox only: nothing here is added or edited by hand, and
"retry now" goes through `outbox.retry_now`, which leaves sent mail and mail under a
live lease alone, so it never sends a mail twice.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mailer import outbox
from mailer.models import Mail


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "to_address",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_address", "message_id"]
    ordering = ["-id"]
    list_select_related = False
    show_full_result_count = False
    readonly_fields = [
        "kind",
        "user",
        "to_address",
        "language",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_token",
        "created_at",
        "sent_at",
        "message_id",
        "last_error",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Mail | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Mail is not edited here, but retrying it is a change: the change permission.
        return request.user.has_perm("mailer.change_mail")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Mail]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        retried = outbox.retry_now(chosen)
        self.message_user(
            request,
            ngettext(
                "%(count)d mail will be sent again now.",
                "%(count)d mails will be sent again now.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS,
        )
        left = len(chosen) - retried
        if left:
            self.message_user(
                request,
                ngettext(
                    "%(count)d mail was left alone: already sent, or being sent.",
                    "%(count)d mails were left alone: already sent, or being sent.",
                    left,
                )
                % {"count": left},
                messages.WARNING,
            )
