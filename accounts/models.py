"""API tokens, one per sign-in (device): django-rest-knox's token with a name and a use time.

knox keeps only a digest (SHA-512) of each token, its first characters to find it by,
and an expiry that slides with use (settings.REST_KNOX). The public `id` names a token
in the tokens API and on the account page; the digest stays the lookup, never shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class AuthToken(AbstractAuthToken):
    id: models.BigAutoField[int, int] = models.BigAutoField(primary_key=True)
    # knox makes the digest the primary key; here it stays unique but is no public id.
    digest: models.CharField[str, str] = models.CharField(
        max_length=CONSTANTS.DIGEST_LENGTH, unique=True
    )
    name: models.CharField[str, str] = models.CharField(max_length=200, blank=True)
    # Moved on with the expiry (at most once per MIN_REFRESH_INTERVAL), so never exact.
    last_used: models.DateTimeField[Any, dt.datetime] = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name or 'token'} ({self.user_id})"
