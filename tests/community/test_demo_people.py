"""`manage.py demo_people` prints each network's owner and moderators from the database."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_lists_owners_and_moderators_not_members(
    owner: Any, moderator: Any, member: Any, public_network: Any
) -> None:
    out = io.StringIO()
    call_command("demo_people", stdout=out)
    [row] = [line for line in out.getvalue().splitlines() if public_network.slug in line]
    assert f"{owner.username} — {moderator.username}" in row
    assert member.username not in row
