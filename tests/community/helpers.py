"""Assertions shared by the community, permissions and config tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from community.models import AuditEntry, Invitation, Membership, Network
from permissions.models import NetworkUserObjectPermission
from permissions.roles import ROLE_PERMS


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is CONTRACT.md's error shape with this status (and code, if given)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    if code is not None:
        assert error["code"] == code, error
    return error


def row_counts() -> dict[str, int]:
    """Rows of every table the community actions write: compare before/after a refused call."""
    return {
        "networks": Network.objects.count(),
        "memberships": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
        "audit": AuditEntry.objects.count(),
        "grants": NetworkUserObjectPermission.objects.count(),
    }


def membership_state() -> list[tuple[Any, ...]]:
    """Every membership's mutable state, to prove a refused call changed nothing."""
    return list(
        Membership.objects.order_by("id").values_list(
            "id", "role", "status", "muted_until", "ban_reason", "join_message"
        )
    )


def network_state() -> list[tuple[Any, ...]]:
    return list(
        Network.objects.order_by("id").values_list(
            "id", "name", "slug", "description", "visibility", "join_policy", "archived"
        )
    )


def invitation_state() -> list[tuple[Any, ...]]:
    return list(Invitation.objects.order_by("id").values_list("id", "uses", "revoked_at"))


@contextmanager
def nothing_written() -> Iterator[None]:
    """Assert that the block leaves every community table exactly as it found it."""
    before = (row_counts(), membership_state(), network_state(), invitation_state())
    yield
    after = (row_counts(), membership_state(), network_state(), invitation_state())
    assert after == before


def grants(user: Any, network: Network) -> set[str]:
    """The user's guardian grants on the network, as permission codenames."""
    return set(
        NetworkUserObjectPermission.objects.filter(
            user_id=user.pk, content_object=network
        ).values_list("permission__codename", flat=True)
    )


MEMBER_GRANTS = {p.value for p in ROLE_PERMS["member"]}
MODERATOR_GRANTS = {p.value for p in ROLE_PERMS["moderator"]}
OWNER_GRANTS = {p.value for p in ROLE_PERMS["owner"]}


@contextmanager
def throttle_rate(monkeypatch: pytest.MonkeyPatch, scope: str, rate: str) -> Iterator[None]:
    """Pin one DRF throttle rate (tests otherwise run with throttling wide open)."""
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = dict(rest["DEFAULT_THROTTLE_RATES"], **{scope: rate})
    with override_settings(REST_FRAMEWORK=rest):
        # DRF copies the rates onto the throttle class when it is first imported.
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES
        )
        yield
