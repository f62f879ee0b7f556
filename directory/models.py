"""Member profiles: what the directory shows and searches."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=120, blank=True)
    headline = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.display_name or str(self.user_id)
