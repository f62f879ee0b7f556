"""Web pages of the signed-in user's notifications: the list (newest first, paged like
the API, unread or all), opening one (marks it read, then goes to what it is about) and
marking all read. Forms that work without JavaScript; the top bar's live bell is
`static/js/notifications.js` over the page's one websocket.

Reads are `notifications.queries` (which re-check access: a network the user may no
longer read shows nothing); writes are `notifications.actions.do_mark_read`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.api import check_id, me
from core.web import safe_next, signed_in, web_page
from notifications import queries
from notifications.actions import do_mark_read
from notifications.texts import language_of

PAGE_SIZE = 30
MENU_SIZE = 6
FILTERS = ("all", "unread")


def _language() -> str:
    """The page's language: the text of each notification is rendered in it."""
    return language_of(translation.get_language())


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    response = render(request, "403.html", {"message": message}, status=400)
    response.shabaka_page = True  # type: ignore[attr-defined]
    return response


@require_GET
@signed_in
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first, unread ones marked; `?show=unread` for those only."""
    show = request.GET.get("show") or "all"
    if show not in FILTERS:
        return _bad_request(request, _("show: choose all or unread."))
    user = me(request)
    notifications = queries.visible(user)
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    rows, next_cursor = web_page(
        queries.for_listing(notifications), request, ["-id"], limit=PAGE_SIZE
    )
    shown = queries.serialize(rows, _language(), queries.time_zone(user)) if rows else []
    items = [{"row": row, **fields} for row, fields in zip(rows, shown, strict=True)]
    return render(
        request,
        "notifications/list.html",
        {
            "items": items,
            "show": show,
            "next_cursor": next_cursor,
        },
    )


@require_GET
@signed_in
def menu(request: HttpRequest) -> HttpResponse:
    """The bell's menu (an HTML fragment notifications.js shows): the latest few, in the
    page's language, with the same forms as the list."""
    user = me(request)
    rows = list(queries.for_listing(queries.visible(user)).order_by("-id")[:MENU_SIZE])
    shown = queries.serialize(rows, _language(), queries.time_zone(user)) if rows else []
    return render(
        request,
        "notifications/_menu.html",
        {
            "items": shown,
            "next": safe_next(request, reverse("web:notifications")),
        },
    )


@require_POST
@signed_in
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of your notifications read and go to what it is about (or back)."""
    check_id(notification_id)
    user = me(request)
    found = queries.for_listing(queries.visible(user).filter(pk=notification_id)).first()
    if found is None:
        raise Http404
    do_mark_read(user, ids=[found.pk])
    url = queries.serialize([found], _language())[0]["target"]["url"]
    return redirect(url or safe_next(request, reverse("web:notifications")))


@require_POST
@signed_in
def mark_one_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of yours read and stay where you were (ids not yours change nothing)."""
    check_id(notification_id)
    do_mark_read(me(request), ids=[notification_id])
    return redirect(safe_next(request, reverse("web:notifications")))


@require_POST
@signed_in
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every one of your notifications read, then back to where you were."""
    do_mark_read(me(request), every=True)
    return redirect(safe_next(request, reverse("web:notifications")))
