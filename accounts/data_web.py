"""Your data on the web: the archive to download, and the page that deletes the account."""

from __future__ import annotations

import json
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.deletion import as_download, do_delete_account, export
from core.api import me
from core.errors import ActionError, RateLimited
from core.web import apply_action_error, error_message, signed_in


@require_GET
@signed_in
def download_data(request: HttpRequest) -> HttpResponse:
    user = me(request)
    try:
        archive = export(user)
    except RateLimited as exc:
        messages.error(request, error_message(exc))
        return redirect("web:account")
    body = json.dumps(archive, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return cast(HttpResponse, as_download(response, user))


class DeleteAccountForm(forms.Form):
    content = forms.ChoiceField(
        label=_("Your posts and messages"),
        choices=[
            ("keep", _('Leave them, shown as written by "Deleted member"')),
            ("erase", _("Erase their words too (they show as deleted)")),
        ],
        initial="keep",
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Your password, to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone."), required=True
    )


@signed_in
def delete_account(request: HttpRequest) -> HttpResponse:
    """What deleting takes away, the choice for what one wrote, and the password."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_delete_account(
                me(request), form.cleaned_data["password"], form.cleaned_data["content"]
            )
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            logout(request)
            messages.success(request, gettext("Your account is deleted. Goodbye, and thank you."))
            return redirect("web:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
