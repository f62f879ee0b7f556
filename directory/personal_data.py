"""The profile in the "your data" archive, and its erasure (core.personal_data)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core import personal_data
from directory import photos
from directory.models import Profile, Relation
from directory.queries import profile_json
from directory.search import MEMBERS
from search import outbox


@personal_data.section("profile")
def export_profile(user: Any) -> dict[str, Any] | None:
    profile = Profile.objects.filter(user=user).select_related("user").first()
    if profile is None:
        return None
    data = profile_json(profile, Relation.OWNER)
    data.update(ui_language=profile.ui_language, timezone=profile.timezone)
    data["updated_at"] = profile.updated_at.isoformat()
    return data


@personal_data.eraser("profile", order=50)
def erase_profile(user: Any, erase_content: bool) -> None:
    """Every field emptied and the photo's files removed; the row stays as the marker that
    makes the author of what remains "Deleted member". The directory entry goes with it."""
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    photo = profile.photo
    blank = Profile(user=user)
    for field in Profile._meta.concrete_fields:
        if field.name not in ("id", "user", "updated_at"):
            setattr(profile, field.attname, getattr(blank, field.attname))
    profile.erased_at = timezone.now()
    profile.save()
    transaction.on_commit(lambda: photos.delete(photo), robust=True)
    outbox.enqueue(MEMBERS, [user.pk])
