"""Member profiles: what the directory shows and searches, and who may see each field."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.vocabulary import ProjectStage, Region, Sector


class Audience(models.TextChoices):
    PUBLIC = "public", _("Anyone signed in")
    MEMBERS = "members", _("People who share a network with me")
    PRIVATE = "private", _("Only me (and platform staff)")


class Relation(IntEnum):
    """How close a viewer is to a profile's owner; a field shows when its audience rank ≤ this."""

    OUTSIDER = 0
    CO_MEMBER = 1
    OWNER = 2  # the owner themselves, or platform staff


AUDIENCE_RANK: dict[str, int] = {
    Audience.PUBLIC: Relation.OUTSIDER,
    Audience.MEMBERS: Relation.CO_MEMBER,
    Audience.PRIVATE: Relation.OWNER,
}

# Fields whose audience the owner chooses, with the defaults a new profile gets: enough
# to be found by competency, while where one lives and one's story stay among members.
DEFAULT_VISIBILITY: dict[str, str] = {
    "headline": Audience.PUBLIC,
    "bio": Audience.MEMBERS,
    "country": Audience.PUBLIC,
    "city": Audience.MEMBERS,
    "origin_region": Audience.MEMBERS,
    "sectors": Audience.PUBLIC,
    "skills": Audience.PUBLIC,
    "languages": Audience.PUBLIC,
    "years_experience": Audience.MEMBERS,
    "engagement": Audience.PUBLIC,
    "is_project_holder": Audience.PUBLIC,
    "project": Audience.MEMBERS,
    # Open to a network's calls for expertise (calls.matching ranks only those who are,
    # and only on what they show the poster); availability says when and how.
    "open_to_calls": Audience.MEMBERS,
    "availability": Audience.MEMBERS,
}

# Fields whose audience is not the owner's to choose: the display name appears next to
# every post and message anyway, and the priority category is staff's classification.
FIXED_VISIBILITY: dict[str, str] = {
    "display_name": Audience.PUBLIC,
    "priority_category": Audience.PRIVATE,
}

PROFILE_FIELDS: tuple[str, ...] = (
    "display_name",
    "headline",
    "bio",
    "country",
    "city",
    "origin_region",
    "sectors",
    "skills",
    "languages",
    "years_experience",
    "engagement",
    "is_project_holder",
    "project",
    "open_to_calls",
    "availability",
    "priority_category",
)


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=120, blank=True)
    # The interface language this person chose (ar, fr, en); follows them to every device.
    ui_language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    # Their IANA time zone ("Europe/Berlin"), for times said in mail and reminders; blank
    # until chosen (the account page offers the browser's).
    timezone = models.CharField(max_length=64, blank=True)
    headline = models.CharField(max_length=200, blank=True)
    bio = models.TextField(max_length=5000, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166 alpha-2"))
    city = models.CharField(max_length=120, blank=True)
    origin_region = models.CharField(max_length=32, choices=Region.choices, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    years_experience = models.PositiveSmallIntegerField(null=True, blank=True)
    engagement = models.JSONField(default=list, blank=True)
    is_project_holder = models.BooleanField(default=False)
    project_title = models.CharField(max_length=200, blank=True)
    project_sector = models.CharField(max_length=32, choices=Sector.choices, blank=True)
    project_stage = models.CharField(max_length=16, choices=ProjectStage.choices, blank=True)
    project_target_region = models.CharField(max_length=32, choices=Region.choices, blank=True)
    project_summary = models.TextField(max_length=2000, blank=True)
    open_to_calls = models.BooleanField(default=False)
    availability = models.CharField(max_length=300, blank=True)
    priority_category = models.CharField(max_length=64, blank=True)
    # Field name → audience, for the fields in DEFAULT_VISIBILITY the owner changed.
    visibility = models.JSONField(default=dict, blank=True)
    # The token naming the profile photo's files (directory.photos); blank: initials.
    photo = models.CharField(max_length=32, blank=True)
    # Set when the account was deleted: the row stays, emptied, so the posts and messages
    # the person chose to leave show "Deleted member" (accounts.deletion).
    erased_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or str(self.user_id)

    def audience(self, field: str) -> str:
        """The audience of one field: fixed, chosen by the owner, or the default."""
        if field in FIXED_VISIBILITY:
            return FIXED_VISIBILITY[field]
        chosen = self.visibility.get(field) if isinstance(self.visibility, dict) else None
        return chosen if chosen in AUDIENCE_RANK else DEFAULT_VISIBILITY[field]

    def level(self, field: str) -> int:
        """The lowest relation that may see `field` (0 outsider, 1 co-member, 2 owner/staff)."""
        return AUDIENCE_RANK[self.audience(field)]

    def visibility_map(self) -> dict[str, str]:
        return {field: self.audience(field) for field in PROFILE_FIELDS}

    def project(self) -> dict[str, Any] | None:
        if not self.is_project_holder:
            return None
        return {
            "title": self.project_title,
            "sector": self.project_sector,
            "stage": self.project_stage,
            "target_region": self.project_target_region,
            "summary": self.project_summary,
        }

    def field_value(self, field: str) -> Any:
        if field == "project":
            return self.project()
        return getattr(self, field)

    def visible_fields(self, relation: int) -> dict[str, Any]:
        """The fields this relation may see; hidden ones are absent, not blanked."""
        return {
            field: self.field_value(field)
            for field in PROFILE_FIELDS
            if self.level(field) <= relation
        }
