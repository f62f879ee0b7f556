"""The pages of getting back into an account and proving an address: forgot password,
the reset link, the verification link, and the address on the account page.

The reset link follows Django's PasswordResetConfirmView: the page the mailed link opens
moves the token into the session and redirects to a URL without it, so the token never
leaves in a Referer header of that page's requests. A used, expired or altered link is
one page ("this link no longer works") that never says whether an account exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import links, recovery, tokens
from accounts.actions import do_set_preferences, time_zones
from accounts.identity import email_verified
from core.api import me
from core.client_address import request_client_address
from core.errors import ActionError, InvalidInput
from core.web import apply_action_error, remember_language, signed_in
from directory.models import Profile

RESET_SESSION_KEY = "_password_reset_token"
SET_PASSWORD = "set-password"  # noqa: S105 - the URL part in place of the token


class ForgotForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email", "autofocus": True}),
    )


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    new_password_again = forms.CharField(
        label=_("New password, again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data


class PasswordForm(forms.Form):
    current_password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PreferencesForm(forms.Form):
    ui_language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times in mail and reminders are given in it."),
        widget=forms.Select(attrs={"data-browser-timezone": ""}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(time_zones())
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Not chosen")), *((z, z) for z in zones)]


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/link_invalid.html", status=400)


def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link; the next page is the same whatever the address."""
    form = ForgotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        recovery.request_password_reset(form.cleaned_data["email"], request_client_address(request))
        return redirect("web:password-forgot-sent")
    return render(request, "accounts/password_forgot.html", {"form": form})


def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@never_cache
def password_reset(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """The mailed link: its token goes into the session, then the form without it."""
    if token != SET_PASSWORD:
        if links.checked(links.reset_tokens, uid, token) is None:
            return link_invalid(request)
        request.session[RESET_SESSION_KEY] = token
        return redirect("web:password-reset", uid=uid, token=SET_PASSWORD)
    session_token = request.session.get(RESET_SESSION_KEY, "")
    if links.checked(links.reset_tokens, uid, session_token) is None:
        return link_invalid(request)
    form = NewPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.do_reset_password(uid, session_token, form.cleaned_data["new_password"])
        except InvalidInput as exc:
            if exc.code == recovery.INVALID_LINK[0]:
                return link_invalid(request)
            apply_action_error(form, exc)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(
                request, gettext("Your password is changed. Sign in with the new one.")
            )
            return redirect("web:signin")
    return render(request, "accounts/password_reset.html", {"form": form})


@never_cache
def verify_email(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """The link mailed to a new address: following it confirms the address."""
    try:
        recovery.do_verify_email(uid, token)
    except InvalidInput:
        return link_invalid(request)
    return render(request, "accounts/email_verified.html")


@signed_in
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    try:
        sent = recovery.request_verification(me(request), request_client_address(request))
    except ActionError:
        messages.error(request, gettext("A link was sent a moment ago; wait before asking again."))
    else:
        if sent:
            messages.success(request, gettext("We sent a new link to your address."))
        else:
            messages.info(request, gettext("Your address is already confirmed."))
    return redirect("web:account")


def _account_form(
    request: HttpRequest, form: forms.Form, slot: str, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """One form of the account page: its action (`act`, given the cleaned data, returns
    the success message), then back to the page; refused, the page again with the form
    in its `slot` holding what was typed and why (400)."""
    if form.is_valid():
        try:
            said = act(form.cleaned_data)
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, said)
            return redirect("web:account")
    context = account_context(request, **{slot: form})
    return render(request, "accounts/account.html", context, status=400)


@signed_in
@require_POST
def change_email(request: HttpRequest) -> HttpResponse:
    """A new address for the account, unverified until the link mailed to it is followed."""

    def act(data: dict[str, Any]) -> str:
        recovery.do_change_email(me(request), data["email"], data["password"])
        return gettext("Check your new address: follow the link we mailed there to confirm it.")

    return _account_form(request, EmailForm(request.POST), "email_form", act)


@signed_in
@require_POST
def change_preferences(request: HttpRequest) -> HttpResponse:
    """The interface language (the cookie follows) and the time zone."""

    def act(data: dict[str, Any]) -> str:
        do_set_preferences(me(request), ui_language=data["ui_language"], timezone=data["timezone"])
        with translation.override(data["ui_language"]):
            return gettext("Your preferences are saved.")

    response = _account_form(request, PreferencesForm(request.POST), "preferences_form", act)
    language = request.POST.get("ui_language", "")
    if response.status_code == 302 and language:
        remember_language(response, language)
    return response


@signed_in
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    """A new password: this session stays signed in, every other one (and every device's
    token) is signed out."""

    def act(data: dict[str, Any]) -> str:
        user = me(request)
        recovery.do_change_password(user, data["current_password"], data["new_password"])
        update_session_auth_hash(request, user)
        return gettext("Your password is changed; your other devices and sessions are signed out.")

    return _account_form(request, PasswordForm(request.POST), "password_form", act)


def account_context(request: HttpRequest, **shown: forms.Form) -> dict[str, Any]:
    """The account page: the address (confirmed or not, and a form to change it), the
    password, the language and time zone, and the devices signed in with a token;
    `shown`: a refused form by its slot (email_form, password_form, preferences_form)."""
    user = me(request)
    profile = Profile.objects.filter(user=user).first()
    preferences = shown.get("preferences_form") or PreferencesForm(
        initial={
            "ui_language": (profile.ui_language if profile else "") or get_language(),
            "timezone": profile.timezone if profile else "",
        }
    )
    return {
        "preferences_form": preferences,
        "tokens": list(tokens.filter_own_tokens(user).order_by("-last_used", "-id")),
        "email_verified": email_verified(user),
        "email_form": shown.get("email_form") or EmailForm(),
        "password_form": shown.get("password_form") or PasswordForm(),
    }
