"""Users and their API clients."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from directory.models import Profile

_counter = itertools.count(1)


def make_user(username: str | None = None, *, staff: bool = False, **fields: Any) -> Any:
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
    return user


def client_for(user: Any | None) -> APIClient:
    """An API client authenticated by the user's real token (None: anonymous)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
