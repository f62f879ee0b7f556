"""What every page shares: action errors as a person reads them, sign-in required,
safe redirects, and the API's keyset pagination on a page.

Every page is a thin view like the REST ones: it parses a form, calls one action or
query, and renders a template. Actions raise `core.errors.ActionError`; here those
become a 404 (not found *or* not visible), a message in the user's language, or
field errors next to the form fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ActionError, InvalidInput, NotFound, RateLimited, TooLarge
from core.pagination import paginate

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
    "email_unverified": _(
        "This invitation was sent to your address: confirm it first with the link we mailed "
        "there (your account page can send it again), then accept the invitation."
    ),
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
    "empty": _("The file is empty."),
    "not_an_image": _("This is not a JPEG, PNG or WebP image, or it is damaged."),
    "type_mismatch": _("This file is not the kind of image its name or type says."),
    "too_many_pixels": _("This image has too many pixels: at most 40 million."),
}


def _too_large(exc: TooLarge) -> str:
    n = number_format(exc.limit, force_grouping=True)
    if exc.unit == "MB":
        return ngettext(
            "This file is too large: at most %(n)s MB.",
            "This file is too large: at most %(n)s MB.",
            exc.limit,
        ) % {"n": n}
    if exc.unit == "bytes":
        return ngettext(
            "This is too long: at most %(n)s byte of text (a letter takes 1 to 4).",
            "This is too long: at most %(n)s bytes of text (a letter takes 1 to 4).",
            exc.limit,
        ) % {"n": n}
    return ngettext(
        "This is too long: at most %(n)s character.",
        "This is too long: at most %(n)s characters.",
        exc.limit,
    ) % {"n": n}


def _known_message(exc: ActionError) -> str | None:
    """The page's own sentence for this error, if it has one (a too-long text says its
    limit), in the active language."""
    if isinstance(exc, TooLarge) and exc.limit:
        return _too_large(exc)
    known = ERROR_MESSAGES.get(exc.code)
    return str(known) if known is not None else None


def error_message(exc: ActionError) -> str:
    """The person-facing sentence for an action error, in the active language."""
    known = _known_message(exc)
    return known if known is not None else exc.message


def apply_action_error(form: forms.Form, exc: ActionError) -> None:
    """Put an action's error next to the fields it names, or on the form as a whole."""
    placed = False
    for field in exc.fields or {}:
        if field in form.fields:
            known = _known_message(exc)
            if known is not None:
                form.add_error(field, known)
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
    return quote(path, safe="/")


class _Query:
    """What `core.pagination.paginate` reads from a request: its query parameters."""

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
