"""The demo seed's people (and its admin) have verified addresses, so the demo's mail and
email-bound invitations work as they would for real members."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.identity import verified_email

pytestmark = pytest.mark.django_db


def test_every_demo_user_has_a_verified_address() -> None:
    call_command("seed_demo", "--users", "16", stdout=io.StringIO())
    users = get_user_model().objects.all()

    assert users.count() >= 17
    assert users.exclude(verified_email()).count() == 0
    assert users.filter(verified_email(), username="admin").exists()
