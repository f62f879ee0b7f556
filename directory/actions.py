"""Every write to profiles, and the bulk onboarding of a network's member list.

Each write rewrites the member's search documents in the same transaction
(`search.outbox.enqueue`), so the directory never shows a stale or lost change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from community.actions.common import audit
from community.models import Membership, Network
from core.errors import InvalidInput, NotAllowed
from core.events import send_event_on_commit, user_group
from core.names import clean_name
from directory import photos
from directory import validation as v
from directory.models import Profile
from directory.search import MEMBERS
from directory.vocabulary import Engagement, Region, Sector
from permissions import checks
from permissions.actions import do_sync_grants
from search import outbox

# PATCH /profile/ keys → their cleaner (value, profile) → model field changes.
Cleaner = Callable[[Any, Profile], dict[str, Any]]
CLEANERS: dict[str, Cleaner] = {
    "display_name": lambda x, p: {"display_name": clean_name(v.clean_text("display_name", x, 120))},
    "headline": lambda x, p: {"headline": v.clean_text("headline", x, 200)},
    "bio": lambda x, p: {"bio": v.clean_text("bio", x, 5000)},
    "country": lambda x, p: {"country": v.clean_country(x)},
    "city": lambda x, p: {"city": v.clean_text("city", x, 120)},
    "origin_region": lambda x, p: {"origin_region": v.clean_choice("origin_region", x, Region)},
    "sectors": lambda x, p: {"sectors": v.clean_choices("sectors", x, Sector)},
    "skills": lambda x, p: {"skills": v.clean_skills(x)},
    "languages": lambda x, p: {"languages": v.clean_languages(x)},
    "years_experience": lambda x, p: {"years_experience": v.clean_years(x)},
    "engagement": lambda x, p: {"engagement": v.clean_choices("engagement", x, Engagement)},
    "is_project_holder": lambda x, p: {"is_project_holder": v.clean_bool("is_project_holder", x)},
    "project": lambda x, p: v.clean_project(x, p.project()),
    "open_to_calls": lambda x, p: {"open_to_calls": v.clean_bool("open_to_calls", x)},
    "availability": lambda x, p: {"availability": v.clean_text("availability", x, 300)},
    "priority_category": lambda x, p: {
        "priority_category": v.clean_text("priority_category", x, 64)
    },
    "visibility": lambda x, p: {"visibility": {**p.visibility, **v.clean_visibility(x)}},
}
STAFF_ONLY = frozenset({"priority_category"})


def check_profile_changes(actor: User, profile: Profile, data: Any) -> dict[str, Any]:
    """Validate a (partial) profile update; every bad field is reported at once."""
    if not isinstance(data, dict):
        raise InvalidInput("invalid", "Send a JSON object.")
    unknown = sorted(set(data) - set(CLEANERS))
    if unknown:
        raise InvalidInput(
            "invalid",
            f"Unknown profile fields: {', '.join(str(u)[:40] for u in unknown)}.",
            {str(u)[:40]: ["Unknown field."] for u in unknown},
        )
    if STAFF_ONLY & set(data) and not actor.is_staff:
        raise NotAllowed("staff_only", "Only platform staff may set priority_category.")
    changes: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for key, value in data.items():
        try:
            changes.update(CLEANERS[key](value, profile))
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid", "Some profile fields are invalid.", errors)
    return changes


@transaction.atomic
def do_update_profile(actor: User, owner: User, data: Any) -> Profile:
    """The owner edits their profile; staff may edit anyone's and alone set priority_category."""
    if actor.pk != owner.pk and not actor.is_staff:
        raise NotAllowed("permission_denied", "You may only edit your own profile.")
    profile = _locked_profile(owner)
    changes = check_profile_changes(actor, profile, data)
    for name, value in changes.items():
        setattr(profile, name, value)
    if not profile.is_project_holder and any(k.startswith("project_") for k in changes):
        # Project details only exist for project holders; keep them from hiding in the row.
        for name in ("title", "sector", "stage", "target_region", "summary"):
            setattr(profile, f"project_{name}", "")
    profile.save()
    outbox.enqueue(MEMBERS, [owner.pk])
    _tell(owner)
    return profile


def do_set_photo(owner: User, upload: UploadedFile) -> Profile:
    """Replace the owner's photo with the upload, re-encoded (directory.photos); the old
    files go once the change is committed, the new ones if it is not."""
    token = photos.store(photos.render(upload))
    try:
        with transaction.atomic():
            profile = _locked_profile(owner)
            old, profile.photo = profile.photo, token
            profile.save(update_fields=["photo", "updated_at"])
    except BaseException:
        photos.delete(token)
        raise
    # After the commit, and never able to undo it: a storage hiccup leaves a stray file.
    transaction.on_commit(lambda: photos.delete(old), robust=True)
    _tell(owner)
    return profile


def _locked_profile(owner: User) -> Profile:
    """The owner's profile under its row lock; a deleted account's stays as it is."""
    profile, _ = Profile.objects.select_for_update().get_or_create(user=owner)
    if profile.erased_at is not None or not owner.is_active:
        raise NotAllowed("account_deleted", "This account is deleted.")
    return profile


@transaction.atomic
def do_remove_photo(owner: User) -> Profile:
    """Back to initials; the files go once the change is committed."""
    profile = _locked_profile(owner)
    if profile.photo:
        old, profile.photo = profile.photo, ""
        profile.save(update_fields=["photo", "updated_at"])
        transaction.on_commit(lambda: photos.delete(old), robust=True)
        _tell(owner)
    return profile


def _tell(owner: User) -> None:
    """The owner's open pages learn that their profile changed."""
    send_event_on_commit(user_group(owner.pk), {"type": "directory.profile", "user": owner.pk})


# --- bulk onboarding ----------------------------------------------------------------------


@dataclass
class ImportRow:
    """One valid line of a member list: who, and the profile fields it sets."""

    line: int
    email: str
    username: str
    profile: dict[str, Any] = field(default_factory=dict)
    existing_id: int | None = None


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)


def _join(actor: User | None, network: Network, user: User) -> bool:
    """Make the user an active member (keeping a higher role); False if already active."""
    membership = Membership.objects.select_for_update().filter(user=user, network=network).first()
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        return False
    if membership is not None and membership.status == Membership.Status.BANNED:
        raise InvalidInput("banned", f"{user.email} is banned from {network.slug}.")
    if membership is None:
        membership = Membership(user=user, network=network, role=Membership.Role.MEMBER)
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.acted_by = actor
    membership.acted_at = timezone.now()
    membership.save()
    do_sync_grants(membership)
    checks.forget(network)
    audit(network, actor, "member.import", target_user_id=user.pk)
    return True


@transaction.atomic
def do_import_members(
    actor: User | None, network: Network, rows: Sequence[ImportRow], *, update_existing: bool
) -> ImportReport:
    """Create or update the listed people and make them members, all or nothing.

    Rows come validated (directory.importer); existing accounts are matched by email and
    updated or left as they are, and everyone listed becomes an active member.
    """
    UserModel = get_user_model()
    report = ImportReport()
    touched: list[int] = []
    # Each join re-indexes its member too (directory.search): write each one once, at the end.
    with outbox.deferred():
        for row in rows:
            user = UserModel.objects.filter(email__iexact=row.email).first()
            if user is None:
                user = UserModel.objects.create_user(username=row.username, email=row.email)
                Profile.objects.create(user=user, **row.profile)
                report.created.append(row.email)
            else:
                profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
                if update_existing:
                    for name, value in row.profile.items():
                        setattr(profile, name, value)
                    profile.save()
                    report.updated.append(row.email)
                else:
                    report.skipped.append(row.email)
            if _join(actor, network, user):
                report.joined.append(row.email)
            touched.append(user.pk)
        outbox.enqueue(MEMBERS, touched)
    return report
