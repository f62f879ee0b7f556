"""The profile photo on the web: set or remove it from the profile editor, and its files
served by the site itself when they are on its own disk (directory.photos)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.api import me
from core.errors import ActionError
from core.web import error_message, signed_in
from directory import actions, photos

# A photo's files never change (a new photo gets a new name), so browsers keep them a year.
CACHE = "public, max-age=31536000, immutable"


@require_POST
@signed_in
def upload_photo(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose an image to upload."))
        return redirect("web:edit-profile")
    try:
        actions.do_set_photo(me(request), upload)
    except ActionError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Your photo is saved."))
    return redirect("web:edit-profile")


@require_POST
@signed_in
def remove_photo(request: HttpRequest) -> HttpResponse:
    actions.do_remove_photo(me(request))
    messages.success(request, _("Your photo is removed; your initial shows instead."))
    return redirect("web:edit-profile")


@require_GET
def photo_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """One size of a photo, as WebP whatever was uploaded (the type is the site's, never
    the uploader's). The random name is the only key: like a mail's attachment link."""
    if not photos.NAME.match(name):
        raise Http404
    storage = photos.storage()
    try:
        handle = storage.open(name)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = CACHE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
