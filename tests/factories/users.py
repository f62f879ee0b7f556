"""Users and their API clients."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.identity import mark_email_verified
from accounts.tokens import issue_keys
from directory.models import Profile

_counter = itertools.count(1)


def make_user(
    username: str | None = None, *, staff: bool = False, email_verified: bool = True, **fields: Any
) -> Any:
    n = next(_counter)
    username = username or f"user{n}"
    user = get_user_model().objects.create_user(
        username=username,
        email=fields.pop("email", f"{username}@example.org"),
        password=fields.pop("password", "correct horse battery staple"),
        is_staff=staff,
        **fields,
    )
    Profile.objects.create(user=user, display_name=username.title())
    if email_verified:
        mark_email_verified(user)
    return user


def token_for(user: Any) -> str:
    """A new API token of the user (as a sign-in on one more device issues), its key."""
    return issue_keys([user])[0]


def client_for(user: Any | None) -> APIClient:
    """An API client authenticated by a real token of the user (None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client
