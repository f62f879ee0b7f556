"""The directory's seed step gives demo people profiles that fit their networks."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from directory.models import Profile


def test_seed_demo_fills_profiles_and_the_directory_finds_them(
    database_only: Any, api: Any
) -> None:
    call_command("seed_demo", "--users", "16", stdout=StringIO())
    profiles = Profile.objects.exclude(headline="").select_related("user")
    assert profiles.count() >= 16
    medical = profiles.filter(user__memberships__network__slug="medical").first()
    if medical is not None:
        assert "health" in medical.sectors
    assert all(p.languages and p.country for p in profiles)
    admin = Profile.objects.get(user__username="admin").user
    page = api(admin).get("/api/v1/directory/", {"language": "ar"}).json()
    assert page["estimated_total"] >= 16 and page["facets"]["language"]["ar"] >= 16
    call_command("seed_demo", "--users", "16", stdout=StringIO())  # idempotent
    assert Profile.objects.exclude(headline="").count() == profiles.count()
