"""The account pages: sign up, sign in and out, the interface language, and the devices
signed in to your account (API tokens), each revocable."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import check_for_language, get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import recovery_web, tokens
from accounts.actions import do_register_user, do_set_ui_language
from accounts.signup import signup_budget
from core.api import me
from core.client_address import request_client_address
from core.errors import ActionError, NotFound
from core.web import apply_action_error, rate_limited, remember_language, safe_next, signed_in


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; kept in the session and in the language cookie."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        return HttpResponseBadRequest()
    if request.user.is_authenticated:
        do_set_ui_language(me(request), code)
    return remember_language(redirect(safe_next(request)), code)


# --- accounts -----------------------------------------------------------------------------


class SignUpForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    display_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"dir": "ltr"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignUpForm(request.POST if request.method == "POST" else None)
    refused: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with signup_budget(request):
                done = do_register_user(
                    data["username"],
                    data["email"],
                    data["password"],
                    data["display_name"],
                    client=request_client_address(request),
                    language=get_language() or settings.LANGUAGE_CODE,
                )
        except ActionError as exc:
            apply_action_error(form, exc)
            refused = exc
        else:
            # An address that already has an account makes none (its owner is mailed):
            # the page answers the same, only no one is signed in.
            if done.user is not None:
                login(request, done.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                gettext("Welcome to Shabaka! We mailed you a link to confirm your address."),
            )
            # Where they were going (an invitation, a network to join), else their
            # profile: what the directory shows of them, and to whom, comes first.
            return redirect(safe_next(request, f"{reverse('web:edit-profile')}?welcome=1"))
    response = render(
        request, "accounts/signup.html", {"form": form, "next": safe_next(request, "")}
    )
    return rate_limited(response, refused)


def signin(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        response = redirect(safe_next(request))
        # On a device with no language chosen yet, the person's own language follows them;
        # a choice already made on this device stands.
        profile = getattr(user, "profile", None)
        if (
            profile is not None
            and profile.ui_language
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            return remember_language(response, profile.ui_language)
        return response
    return render(request, "accounts/signin.html", {"form": form, "next": safe_next(request, "")})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)  # the language cookie outlives the session
    return redirect("/")


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", recovery_web.account_context(request))


@signed_in
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Sign one device out: its token stops working and its open sockets close."""
    try:
        tokens.do_revoke_token(me(request), token_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, gettext("The device is signed out."))
    return redirect("web:account")
