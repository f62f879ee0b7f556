"""The notification settings page (/account/notifications/) and the unsubscribe page.

The settings page offers the API's choices as a plain form (no script needed). The
unsubscribe page is where mail's one-click link leads: a GET shows a button (a link
scanner that follows links unsubscribes no one), a POST — the button, or a mail
client's RFC 8058 one-click request, signed in or not — turns that mail off.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.api import me
from core.errors import ActionError
from core.web import apply_action_error, signed_in
from notifications import preferences, unsubscribe
from notifications.models import EmailMode, Notification

FOLLOW = ""


class SettingsForm(forms.Form):
    email = forms.ChoiceField(label=_("Email me"), choices=EmailMode.choices)

    def __init__(self, *args: Any, networks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[f"kind_{kind}"] = forms.BooleanField(label=label, required=False)
        self.networks = networks
        for network in networks:
            self.fields[f"network_{network.slug}"] = forms.ChoiceField(
                label=network.name,
                required=False,
                choices=[(FOLLOW, _("As chosen above")), *EmailMode.choices],
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{kind}"] for kind in Notification.Kind.values]

    def network_fields(self) -> list[forms.BoundField]:
        return [self[f"network_{network.slug}"] for network in self.networks]

    def as_settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "kinds": {kind: bool(data[f"kind_{kind}"]) for kind in Notification.Kind.values},
            "networks": {
                n.slug: (
                    {"email": data[f"network_{n.slug}"]} if data[f"network_{n.slug}"] else None
                )
                for n in self.networks
            },
        }


def _initial(current: dict[str, Any], networks: list[Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {"email": current["email"]}
    initial.update({f"kind_{k}": on for k, on in current["kinds"].items()})
    for network in networks:
        override = current["networks"].get(network.slug)
        initial[f"network_{network.slug}"] = override["email"] if override else FOLLOW
    return initial


@signed_in
def settings_page(request: HttpRequest) -> HttpResponse:
    user = me(request)
    networks = preferences.active_networks(user)
    current = preferences.read(user)
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        networks=networks,
        initial=_initial(current, networks),
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences.do_update_settings(user, form.as_settings())
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, gettext("Your notification settings are saved."))
            return redirect("web:notification-settings")
    return render(request, "notifications/settings.html", {"form": form})


def _what(link: unsubscribe.Unsubscribe) -> list[str]:
    if link.digest == EmailMode.DAILY:
        return [gettext("The daily digest")]
    if link.digest == EmailMode.WEEKLY:
        return [gettext("The weekly digest")]
    return [str(Notification.Kind(kind).label) for kind in link.kinds]


@csrf_exempt  # RFC 8058: the mail client's POST carries no token; the link is signed.
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, signed: str) -> HttpResponse:
    link = unsubscribe.parse(signed)
    if link is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    context: dict[str, Any] = {"what": _what(link), "done": False}
    if request.method == "POST":
        # A deleted account answers like any other: the page says nothing of accounts.
        if User.objects.filter(pk=link.user_id).exists():
            link.apply()
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
