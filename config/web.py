"""The web client's shared pieces and its account pages: home, language, sign up/in/out.

Every page is a thin view like the REST ones: it parses a form, calls one action or
query, and renders a template. Actions raise `config.errors.ActionError`; here those
become a 404 (not found *or* not visible), a message in the user's language, or
field errors next to the form fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from config.errors import ActionError, InvalidInput, NotFound, RateLimited
from config.pagination import paginate

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., HttpResponse])

# Action error codes → the sentence shown to a person, in their language. Actions
# speak English to API clients; pages translate by code and fall back to the text.
ERROR_MESSAGES: dict[str, Any] = {
    "already_member": _("You are already a member of this network."),
    "already_pending": _("Your request to join is already waiting for approval."),
    "banned": _("You are banned from this network."),
    "invitation_required": _("This network accepts members by invitation only."),
    "invitation_invalid": _("This invitation is not valid."),
    "invitation_expired": _("This invitation has expired."),
    "invitation_used_up": _("This invitation has been used up."),
    "invitation_email_mismatch": _("This invitation was sent to another address."),
    "not_member": _("Only members of this network may do this."),
    "not_moderator": _("Only moderators of this network may do this."),
    "not_owner": _("Only owners of this network may do this."),
    "muted": _("You are muted in this network for now."),
    "last_owner": _("The last owner cannot go; make someone else an owner first."),
    "self_action": _("You cannot do this to yourself."),
    "rank": _("You cannot act on a member of equal or higher rank."),
    "wrong_status": _("This cannot be done in the membership's current state."),
    "already_banned": _("This user is already banned."),
    "not_muted": _("This member is not muted."),
    "same_role": _("This member already has that role."),
    "already_revoked": _("This invitation is already revoked."),
    "username_taken": _("This username is taken."),
    "email_taken": _("An account with this email exists."),
    "topic_locked": _("This topic is locked: it takes no new replies."),
    "topic_deleted": _("This topic has been deleted."),
    "post_deleted": _("This post has been deleted."),
    "moderators_only": _("Only moderators may open topics in this category."),
    "not_author": _("Only the author or a moderator may do this."),
    "slug_taken": _("This name is already used here."),
    "invalid_emoji": _("A reaction is a single emoji."),
    "rate_limited": _("You are going too fast; wait a moment."),
    "permission_denied": _("You may not do this."),
    "too_large": _("This is too long."),
}


def error_message(exc: ActionError) -> str:
    """The person-facing sentence for an action error, in the active language."""
    known = ERROR_MESSAGES.get(exc.code)
    return str(known) if known is not None else exc.message


def apply_action_error(form: forms.Form, exc: ActionError) -> None:
    """Put an action's error next to the fields it names, or on the form as a whole."""
    placed = False
    for field in exc.fields or {}:
        if field in form.fields:
            known = ERROR_MESSAGES.get(exc.code)
            if known is not None:
                form.add_error(field, str(known))
            else:
                for text in exc.fields[field] if isinstance(exc.fields[field], list) else [exc]:
                    form.add_error(field, str(text))
            placed = True
    if not placed:
        form.add_error(None, error_message(exc))


def not_found_on(exc: ActionError) -> None:
    """ "Missing" and "not yours to see" look the same: both are a 404 page."""
    if isinstance(exc, NotFound):
        raise Http404 from exc


def fail(request: HttpRequest, exc: ActionError, to: str) -> HttpResponseRedirect:
    """After a refused POST: 404 for invisible things, else a message and back to `to`."""
    not_found_on(exc)
    messages.error(request, error_message(exc))
    return redirect(to)


def rate_limited(response: HttpResponse, exc: ActionError | None) -> HttpResponse:
    """A form page refused by a budget is a 429 with Retry-After (the form says why)."""
    if isinstance(exc, RateLimited):
        response.status_code = 429
        response["Retry-After"] = str(exc.retry_after)
    return response


def signed_in(view: View) -> View:
    """Like login_required, but a GET keeps where it was going and a POST goes home first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            target = request.get_full_path() if request.method == "GET" else "/"
            return redirect(f"{reverse('web:signin')}?next={_quote(target)}")
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def me(request: HttpRequest) -> User:
    """The signed-in user of a `signed_in` view."""
    return cast(User, request.user)


class _Query:
    """What `config.pagination.paginate` reads from a request: its query parameters."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        self.query_params = request.GET.copy()
        self.query_params["limit"] = str(limit)


def web_page(
    queryset: QuerySet[Any], request: HttpRequest, ordering: Sequence[str], limit: int = 30
) -> tuple[list[Any], str | None]:
    """The same keyset pagination as the API; a bad cursor is a 404, not a crash."""
    try:
        return paginate(queryset, cast(Any, _Query(request, limit)), ordering)
    except InvalidInput as exc:
        raise Http404 from exc


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def object_or_404(queryset: QuerySet[Any], **lookup: Any) -> Model:
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return cast(Model, obj)


# --- home and language -------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: your networks and what to discover. Otherwise: what Shabaka is."""
    from community import queries

    context: dict[str, Any] = {}
    if request.user.is_authenticated:
        networks = list(queries.list_networks(request.user)[:200])
        context["mine"] = [n for n in networks if getattr(n, "my_status", None) == "active"]
        context["waiting"] = [
            n for n in networks if getattr(n, "my_status", None) in ("pending", "invited")
        ]
        context["discover"] = [
            n
            for n in networks
            if getattr(n, "my_status", None) not in ("active", "pending", "invited", "banned")
        ][:6]
    else:
        context["discover"] = list(queries.list_networks(request.user)[:6])
    return render(request, "home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; kept in the session and in the language cookie."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        return HttpResponseBadRequest()
    if request.user.is_authenticated:
        from directory.actions import do_set_ui_language

        do_set_ui_language(me(request), code)
    return remember_language(redirect(safe_next(request)), code)


def remember_language(response: HttpResponse, code: str) -> HttpResponse:
    """Keep the interface language in the cookie LocaleMiddleware reads."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=not settings.DEBUG,
    )
    return response


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
    from community.accounts import do_register_user
    from community.signup import signup_budget

    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignUpForm(request.POST if request.method == "POST" else None)
    refused: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with signup_budget(request):
                user = do_register_user(
                    data["username"], data["email"], data["password"], data["display_name"]
                )
        except ActionError as exc:
            apply_action_error(form, exc)
            refused = exc
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            from directory.actions import do_set_ui_language

            do_set_ui_language(user, get_language() or settings.LANGUAGE_CODE)
            messages.success(request, _("Welcome to Shabaka! Find a network to join."))
            return redirect(safe_next(request, reverse("web:networks")))
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


# --- errors ---------------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # No request context: config.text_guard answers before authentication has run.
    return HttpResponse(loader.get_template("400.html").render({}), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from a context processor or the session.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


class WebErrorMiddleware:
    """Friendly error pages on web paths even when DEBUG shows tracebacks elsewhere.

    `make run` runs with DEBUG on; a person using the site must still never see a
    stack trace or Django's URL list. The traceback goes to the log instead.
    API paths are left to `JsonErrorMiddleware`.
    """

    API_PREFIXES = ("/api/", "/healthz", "/admin/", "/static/")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith(self.API_PREFIXES)
            and "text/html" in response.get("Content-Type", "")
            and not getattr(response, "shabaka_page", False)
        ):
            return _friendly_404(request)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith(self.API_PREFIXES):
            return None
        if isinstance(exc, Http404):
            return _friendly_404(request)
        if isinstance(exc, ActionError):
            if isinstance(exc, NotFound):
                return _friendly_404(request)
            response = render(
                request, "403.html", {"message": error_message(exc)}, status=exc.status
            )
            response.shabaka_page = True  # type: ignore[attr-defined]
            if isinstance(exc, RateLimited):
                response["Retry-After"] = str(exc.retry_after)
            return response
        logger.exception("Unhandled error on %s", request.path)
        return server_error(request)


def _friendly_404(request: HttpRequest) -> HttpResponse:
    response = page_not_found(request)
    response.shabaka_page = True  # type: ignore[attr-defined]
    return response
