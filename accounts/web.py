"""The account page: the devices signed in to your account (API tokens), each revocable."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import tokens
from config.errors import NotFound
from config.web import me, signed_in


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    rows = list(tokens.filter_own_tokens(me(request)).order_by("-last_used", "-id"))
    return render(request, "accounts/account.html", {"tokens": rows})


@signed_in
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Sign one device out: its token stops working and its open sockets close."""
    try:
        tokens.do_revoke_token(me(request), token_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The device is signed out."))
    return redirect("web:account")
