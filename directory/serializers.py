"""OpenAPI shapes of profiles and directory pages (the views build the JSON themselves,
because which keys appear depends on who asks)."""

from __future__ import annotations

from rest_framework import serializers

from directory.models import Audience
from directory.vocabulary import Engagement, ProjectStage, Region, Sector


class ProjectSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sector = serializers.ChoiceField(Sector.choices, required=False, allow_blank=True)
    stage = serializers.ChoiceField(ProjectStage.choices, required=False, allow_blank=True)
    target_region = serializers.ChoiceField(Region.choices, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ProfileFieldsSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=120, required=False)
    headline = serializers.CharField(max_length=200, required=False)
    bio = serializers.CharField(max_length=5000, required=False)
    country = serializers.CharField(
        max_length=2, required=False, help_text="ISO 3166 alpha-2 (MA, CA, DE…)"
    )
    city = serializers.CharField(max_length=120, required=False)
    origin_region = serializers.ChoiceField(Region.choices, required=False, allow_blank=True)
    sectors = serializers.ListField(child=serializers.ChoiceField(Sector.choices), required=False)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text="Free tags, stored trimmed and in lower case.",
    )
    languages = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="ISO 639 codes (ar, zgh, fr…)"
    )
    years_experience = serializers.IntegerField(
        min_value=0, max_value=80, required=False, allow_null=True
    )
    engagement = serializers.ListField(
        child=serializers.ChoiceField(Engagement.choices), required=False
    )
    is_project_holder = serializers.BooleanField(required=False)
    project = ProjectSerializer(required=False, allow_null=True)
    open_to_calls = serializers.BooleanField(
        required=False, help_text="Open to the calls for expertise of one's networks."
    )
    availability = serializers.CharField(
        max_length=300, required=False, help_text="When and how, in one's own words."
    )
    priority_category = serializers.CharField(
        max_length=64, required=False, help_text="Set by platform staff only."
    )


class VisibilitySerializer(serializers.Serializer):
    """Field name → audience. display_name is always public, priority_category private."""

    headline = serializers.ChoiceField(Audience.choices, required=False)
    bio = serializers.ChoiceField(Audience.choices, required=False)
    country = serializers.ChoiceField(Audience.choices, required=False)
    city = serializers.ChoiceField(Audience.choices, required=False)
    origin_region = serializers.ChoiceField(Audience.choices, required=False)
    sectors = serializers.ChoiceField(Audience.choices, required=False)
    skills = serializers.ChoiceField(Audience.choices, required=False)
    languages = serializers.ChoiceField(Audience.choices, required=False)
    years_experience = serializers.ChoiceField(Audience.choices, required=False)
    engagement = serializers.ChoiceField(Audience.choices, required=False)
    is_project_holder = serializers.ChoiceField(Audience.choices, required=False)
    project = serializers.ChoiceField(Audience.choices, required=False)
    open_to_calls = serializers.ChoiceField(Audience.choices, required=False)
    availability = serializers.ChoiceField(Audience.choices, required=False)


class ProfileUpdateSerializer(ProfileFieldsSerializer):
    visibility = VisibilitySerializer(required=False)


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP, at most 5 MB.")


class ProfileSerializer(ProfileFieldsSerializer):
    """A profile; fields hidden from the asker are absent. `visibility`: owner and staff only."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    photo = serializers.DictField(
        child=serializers.CharField(),
        allow_null=True,
        help_text='Square WebP files by size in pixels: {"48": url, "96": url, "256": url}; '
        "null without a photo (clients show initials). Seen by whoever may see the profile.",
    )
    visibility = VisibilitySerializer(required=False)


class DirectoryPageSerializer(serializers.Serializer):
    results = ProfileSerializer(many=True)
    facets = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="country, sector, language, engagement, project_holder → value → count",
    )
    estimated_total = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
