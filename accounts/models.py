"""What an account holds beside Django's user: its API tokens and its uniqueness keys.

AuthToken: one per sign-in (device), django-rest-knox's token with a name and a use time.
knox keeps only a digest (SHA-512) of each token, its first characters to find it by,
and an expiry that slides with use (settings.REST_KNOX). The public `id` names a token
in the tokens API and on the account page; the digest stays the lookup, never shown.

AccountKey: what makes a username or an email one account's (accounts.identity).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
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


class AccountKey(models.Model):
    """What makes an account unique beyond its exact username: enforced by the database.

    `username_key` is the confusable skeleton of the username (core.names), so a
    look-alike or another case of a taken name cannot be inserted, even by a racing
    request or the admin; `email_key` the case-folded email (NULL for none, which may
    repeat). NULL `username_key` marks an account that already had a look-alike twin
    when the keys were introduced (the older account keeps the key).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="account_key",
    )
    username_key = models.TextField(unique=True, null=True)
    email_key = models.TextField(unique=True, null=True)
    # The email key its owner proved they read (a link mailed there was followed): the
    # address is verified while it equals `email_key`, so changing the email unverifies.
    email_verified_key = models.TextField(null=True, blank=True)

    class Meta:
        # Made by community's migrations before accounts existed; the table keeps its name.
        db_table = "community_accountkey"

    def __str__(self) -> str:
        return f"keys of {self.user_id}"
